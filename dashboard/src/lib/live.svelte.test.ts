import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FakeEventSource } from '../../test/browser-environment.ts';
import { fakeApi } from '../../test/fake-api.ts';
import { INITIAL_ALERT_STATE } from '../../../contracts/browser.ts';
import { LiveState, type LiveAlert } from './live.svelte.ts';

const streams = () => (globalThis.EventSource as unknown as typeof FakeEventSource).opened;

const alert = (id: string, status = 'new', seenAt = new Date().toISOString(), priority = 5) =>
  ({
    alert: {
      id,
      historical: false,
      read: { id: `read-${id}`, capturedAt: seenAt, plate: 'ABC1234', cameraId: 'cam-1', location: { description: 'US-27 NB' } },
      record: { priority },
    },
    reminder: 'Confirm the hit with the record before acting.',
    events: [],
    state: { ...INITIAL_ALERT_STATE, status },
    encounter: { hits: 1, firstSeenAt: seenAt, lastSeenAt: seenAt, lastCameraId: 'cam-1', lastPlace: 'US-27 NB' },
    sightings: [{ readId: `read-${id}`, cameraId: 'cam-1', seenAt, plate: 'ABC1234', place: 'US-27 NB' }],
  }) as unknown as LiveAlert;
const series = { t: [1, 2, 3], reads: { 'cam-b': [1, 2, 3], 'cam-a': [4, 5, 6] }, pipeline: {}, hitRate: null };
const health = { cameras: [{ cameraId: 'cam-c' }] };

let live: LiveState | null = null;
afterEach(() => {
  live?.stop();
  live = null;
  streams().length = 0;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A command centre started with alerts, its stream open. */
async function started(routes: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi({
    'GET /api/health/report': { json: health },
    'GET /api/metrics/series': { json: series },
    'GET /api/alerts': { json: { alerts: [alert('a1'), alert('a0', 'closed')], total: 2, waiting: 1 } },
    ...routes,
  });
  live = new LiveState();
  live.start(true);
  await vi.waitFor(() => expect(streams()).toHaveLength(1));
  return { api, live, es: streams()[0]! };
}

describe('LiveState', () => {
  it('lists the alerts, opens their stream, and puts a raised alert first, once', async () => {
    const { live, es } = await started();
    expect(es.url).toBe('/api/alerts/stream');
    expect(live.alerts.map((a) => a.alert.id)).toEqual(['a1', 'a0']);
    expect(live.open.map((a) => a.alert.id)).toEqual(['a1']);
    es.emit('ready');
    expect(live.streamUp).toBe(true);
    const raised = alert('a2');
    es.emit('alert', { type: 'alert.raised', alert: raised.alert, reminder: raised.reminder });
    es.emit('alert', { type: 'alert.raised', alert: raised.alert, reminder: raised.reminder });
    expect(live.alerts.map((a) => [a.alert.id, a.fresh, a.state.status])).toEqual([
      ['a2', true, 'new'],
      ['a1', false, 'new'],
      ['a0', false, 'closed'],
    ]);
    live.select('a2');
    expect([live.selected?.alert.id, live.selected?.fresh]).toEqual(['a2', false]);
  });

  it("reloads an alert another console acted on, and posts the selected one's workflow step", async () => {
    const { api, live, es } = await started({
      'GET /api/alerts/a1': { json: alert('a1', 'acknowledged') },
      'POST /api/alerts/a1/actions': { json: alert('a1', 'verifying') },
    });
    es.emit('alert', { type: 'alert.event', alertId: 'a1', event: {}, state: {} });
    await vi.waitFor(() => expect(live.alerts[0]!.state.status).toBe('acknowledged'));
    live.select('a1');
    expect(await live.act({ action: 'verify_read', correct: true })).toBe(true);
    expect(api.last('/api/alerts/a1/actions')!.body).toEqual({ action: 'verify_read', correct: true });
    expect(live.selected!.state.status).toBe('verifying');
  });

  it('counts a repeat sighting on the alert it joined, moves it up, and ignores historical hits', async () => {
    const earlier = new Date(Date.now() - 10 * 60_000).toISOString();
    const { live, es } = await started({
      'GET /api/alerts': {
        json: {
          alerts: [alert('a1', 'new', earlier), alert('a2', 'new', new Date(Date.now() - 60_000).toISOString())],
          total: 2,
          waiting: 2,
        },
      },
    });
    expect(live.queue.map((a) => a.alert.id)).toEqual(['a2', 'a1']);
    const sighting = { readId: 'read-x', cameraId: 'cam-7', seenAt: new Date().toISOString(), plate: 'ABC1234', place: 'I-10 EB' };
    es.emit('alert', { type: 'alert.sighting', alertId: 'a1', sighting, historical: false });
    es.emit('alert', { type: 'alert.sighting', alertId: 'a1', sighting, historical: false });
    const a1 = live.alerts.find((a) => a.alert.id === 'a1')!;
    expect(a1.encounter).toMatchObject({ hits: 2, lastCameraId: 'cam-7', lastPlace: 'I-10 EB', lastSeenAt: sighting.seenAt });
    expect(a1.sightings.map((s) => s.cameraId)).toEqual(['cam-7', 'cam-1']);
    expect(live.queue.map((a) => a.alert.id)).toEqual(['a1', 'a2']);
    expect(live.alerts).toHaveLength(2);
    const past = alert('h1');
    es.emit('alert', { type: 'alert.raised', alert: { ...past.alert, historical: true }, reminder: past.reminder });
    expect(live.alerts).toHaveLength(2);
    expect(live.waiting).toBe(2);
    // An urgent record goes first whatever its age.
    const urgent = alert('u1', 'new', earlier, 1);
    es.emit('alert', { type: 'alert.raised', alert: urgent.alert, reminder: urgent.reminder });
    expect(live.queue[0]!.alert.id).toBe('u1');
    expect(live.waiting).toBe(3);
  });

  it('pages the queue past its first page and closes marked duplicates in one call', async () => {
    const { api, live } = await started({
      'GET /api/alerts': (call) =>
        call.query.get('offset') === '1'
          ? { json: { alerts: [alert('a1'), alert('a3')], total: 3, waiting: 3 } }
          : { json: { alerts: [alert('a1')], total: 3, waiting: 3 } },
      'POST /api/alerts/close-duplicates': { json: { closed: ['a1'], skipped: [] } },
    });
    expect([live.waiting, live.more]).toEqual([3, 2]);
    await live.loadMore();
    expect(api.last('/api/alerts')!.query.get('status')).toBe('open');
    expect(live.alerts.map((a) => a.alert.id)).toEqual(['a1', 'a3']);
    live.mark('a1', true);
    live.mark('a3', true);
    live.mark('a3', false);
    expect(await live.closeDuplicates('same car, three passes')).toBe(true);
    expect(api.last('/api/alerts/close-duplicates')!.body).toEqual({ ids: ['a1'], reason: 'same car, three passes' });
    expect(live.marked).toEqual([]);
  });

  it('asks for the stream again after the server ends it (a locked session), not at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { live, es } = await started();
    es.emit('ready');
    es.emit('end');
    expect([live.streamUp, es.readyState]).toEqual([false, 2]);
    expect(streams()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(streams()).toHaveLength(2);
  });

  it('shows alerts as unavailable to a role that may not see them, and still shows health', async () => {
    fakeApi({
      'GET /api/health/report': { json: health },
      'GET /api/metrics/series': { json: series },
      'GET /api/alerts': { status: 403, json: { error: 'not permitted' } },
    });
    const l = (live = new LiveState());
    l.start(true);
    await vi.waitFor(() => expect(l.alertsAvailable).toBe(false));
    expect(l.error).toBe('Alerts unavailable: not permitted');
    expect(streams()).toHaveLength(0);
    await vi.waitFor(() => expect(l.health).not.toBeNull());
  });

  it('keeps the sound setting across visits and counts reads per camera for the ticker', async () => {
    const { live } = await started();
    expect(live.sound).toBe(false);
    globalThis.AudioContext = class {} as unknown as typeof AudioContext;
    live.toggleSound();
    expect(localStorage.getItem('alpr.sound')).toBe('on');
    expect(new LiveState().sound).toBe(true);
    live.toggleSound();
    await vi.waitFor(() => expect(live.series).not.toBeNull());
    await vi.waitFor(() => expect(live.health).not.toBeNull());
    // Every camera, in order, the ones without reads included; the last minute is the latest complete one.
    expect(live.ticker).toEqual([
      { cameraId: 'cam-a', lastMinute: 5, hour: 15, recent: [4, 5, 6] },
      { cameraId: 'cam-b', lastMinute: 2, hour: 6, recent: [1, 2, 3] },
      { cameraId: 'cam-c', lastMinute: 0, hour: 0, recent: [0, 0, 0] },
    ]);
  });

  it('counts the minute still filling by the reads it had, not by its rate', async () => {
    // cam-a's last minute is a third gone with 2 reads: a rate of 6 a minute, 2 reads.
    const { live } = await started({
      'GET /api/metrics/series': { json: { ...series, partial: { index: 2, since: 3, elapsedShare: 1 / 3 } } },
    });
    await vi.waitFor(() => expect(live.series).not.toBeNull());
    expect(live.ticker.find((t) => t.cameraId === 'cam-a')!.hour).toBe(11);
  });
});
