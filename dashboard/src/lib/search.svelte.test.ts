import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { SearchState, type Read } from './search.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

const read = (i: number): Read => ({
  id: `r${i}`,
  siteId: 'site-1',
  cameraId: 'cam-a',
  capturedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  firstSeenAt: '',
  lastSeenAt: '',
  plate: 'ABC1234',
  plateNorm: 'ABC1234',
  confidence: 0.9,
  candidates: [],
  state: 'FL',
  stateConfidence: 0.8,
  location: { lat: 30.4, lon: -84.3, description: 'US-27', direction: 'N' },
  framesSeen: 3,
  hasImage: true,
  heldUntil: null,
  expiresAt: '',
  match: null,
  imageUrl: null,
  vehicleImageUrl: null,
});
const context = { caseRef: ' 2026-0042 ', purpose: ' stolen vehicle ' };

describe('SearchState', () => {
  it('searches nothing until a case and purpose are given, then sends them with every search', async () => {
    const api = fakeApi({ 'GET /api/reads': { json: { reads: [read(1)] } } });
    const s = new SearchState(true);
    await s.search();
    expect(api.calls).toHaveLength(0);
    s.setContext(context);
    expect(s.context).toEqual({ caseRef: '2026-0042', purpose: 'stolen vehicle' });
    Object.assign(s.form, { mode: 'plate', text: ' abc1234 ', candidates: true, cameras: 'cam-a, cam-b', state: 'fl', from: '', to: '' });
    await s.search();
    const call = api.last('/api/reads')!;
    expect(call.headers.get('x-alpr-case')).toBe('2026-0042');
    expect(call.headers.get('x-alpr-purpose')).toBe('stolen vehicle');
    expect(Object.fromEntries(call.query)).toEqual({
      order: 'newest',
      limit: '51',
      offset: '0',
      plate: 'abc1234',
      candidates: 'true',
      camera: 'cam-a,cam-b',
      state: 'FL',
    });
    expect([s.searched, s.more, s.reads.map((r) => r.id)]).toEqual([true, false, ['r1']]);
  });

  it('pages by fifty, asking one more to know whether another page follows', async () => {
    const all = Array.from({ length: 120 }, (_, i) => read(i));
    fakeApi({
      'GET /api/reads': (c) => ({
        json: { reads: all.slice(Number(c.query.get('offset')), Number(c.query.get('offset')) + Number(c.query.get('limit'))) },
      }),
    });
    const s = new SearchState(true);
    s.setContext(context);
    await s.search();
    expect([s.reads.length, s.more, s.offset]).toEqual([50, true, 0]);
    await s.search(100);
    expect([s.reads.length, s.more, s.offset, s.reads[0]!.id]).toEqual([20, false, 100, 'r100']);
  });

  it("shows the appliance's refusal instead of results", async () => {
    fakeApi({
      'GET /api/reads': {
        status: 400,
        json: { error: 'invalid search', problems: [{ param: 'from', message: 'outside the tactical window' }] },
      },
    });
    const s = new SearchState(true);
    s.setContext(context);
    await s.search();
    expect(s.error).toBe('invalid search — from: outside the tactical window');
    expect([s.busy, s.searched, s.reads]).toEqual([false, false, []]);
  });

  it('fetches a plate image once, under the case, and marks one it cannot show', async () => {
    const api = fakeApi({
      'GET /api/reads/r1/image': { blob: new Blob([new Uint8Array([0xff, 0xd8])], { type: 'image/jpeg' }) },
      'GET /api/reads/r2/image': { status: 404, json: { error: 'no image' } },
    });
    const s = new SearchState(true);
    s.setContext(context);
    await s.image(read(1));
    await s.image(read(1));
    await s.image(read(2));
    expect(api.calls.map((c) => c.path)).toEqual(['/api/reads/r1/image', '/api/reads/r2/image']);
    expect(api.calls[0]!.headers.get('x-alpr-case')).toBe('2026-0042');
    expect(s.images.r1).toMatch(/^blob:/);
    expect(s.images.r2).toBe('error');
    s.clear();
    expect(s.images).toEqual({});
  });

  it('fetches a vehicle image, under the case, only for a read that has one', async () => {
    const api = fakeApi({ 'GET /api/reads/r1/vehicle-image': { blob: new Blob([new Uint8Array([0xff, 0xd8])], { type: 'image/jpeg' }) } });
    const s = new SearchState(true);
    s.setContext(context);
    await s.vehicleImage(read(2));
    await s.vehicleImage({ ...read(1), vehicleImageUrl: '/api/reads/r1/vehicle-image' });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/reads/r1/vehicle-image']);
    expect(api.calls[0]!.headers.get('x-alpr-case')).toBe('2026-0042');
    expect(s.images['v:r1']).toMatch(/^blob:/);
  });

  it('disseminates only an exact plate search', async () => {
    const api = fakeApi({});
    const s = new SearchState(false);
    s.setContext(context);
    Object.assign(s.form, { mode: 'pattern', text: 'ABC*' });
    expect(await s.disseminate({ recipientAgency: 'FDLE', recipientPerson: 'Det. Ray', authority: 'MOU-7' })).toBe(false);
    expect(s.error).toMatch(/one plate/);
    expect(api.calls).toHaveLength(0);
  });

  it('downloads the case file as a zip under the case, with the search as asked, or says why not', async () => {
    const names: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }));
    let refuse = false;
    const api = fakeApi({
      'GET /api/reads/export.zip': () =>
        refuse
          ? { status: 400, json: { error: 'invalid request', problems: [{ param: 'pattern', message: 'too broad' }] } }
          : { blob: new Blob(['PK']) },
    });
    const s = new SearchState(true);
    s.setContext(context);
    Object.assign(s.form, { mode: 'plate', text: 'abc1234', candidates: false, cameras: '', state: '', from: '', to: '' });
    const link = { download: '', click: () => names.push(link.download), remove: () => undefined };
    vi.spyOn(document, 'createElement').mockReturnValue(link as never);
    await s.exportCaseFile();
    const call = api.last('/api/reads/export.zip')!;
    expect(call.query.get('plate')).toBe('abc1234');
    expect([call.query.get('limit'), call.query.get('offset')]).toEqual([null, null]);
    expect(call.headers.get('x-alpr-case')).toBe('2026-0042');
    expect(names).toEqual([expect.stringMatching(/^alpr-case-2026-0042-\d{4}-\d{2}-\d{2}\.zip$/)]);
    refuse = true;
    await s.exportCaseFile();
    vi.restoreAllMocks();
    expect(s.error).toBe('invalid request — pattern: too broad');
  });
});
