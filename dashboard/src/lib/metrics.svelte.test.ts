import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { MetricsState, partialNote } from './metrics.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

const series = (range: string) => ({
  range,
  t: [1, 2],
  stepSeconds: 900,
  partial: { index: 1, since: 2, elapsedShare: 0.5 },
  reads: { 'cam-b': [1, 2], 'cam-a': [3, 4] },
  hits: { readsThatHit: [3, 0], alertsPerRead: [0.03, null], platesHitPerPlateRead: [1 / 3, null] },
  pipeline: {
    'cam-a': { decodedFps: [25, 24], inferredFps: [8, 8], inferenceMsP50: [40, 42], inferenceMsP99: [90, 95], queueDepth: [0, 1] },
  },
});

describe('MetricsState', () => {
  it('draws one chart per figure, one line per camera, both hit figures in percent with their definitions', async () => {
    const api = fakeApi({ 'GET /api/metrics/series': (c) => ({ json: series(c.query.get('range')!) }) });
    const m = new MetricsState();
    await m.refresh();
    expect(api.last('/api/metrics/series')!.query.get('range')).toBe('1h');
    expect(m.charts.map((c) => c.id)).toEqual([
      'reads',
      'hitRate',
      'decodedFps',
      'inferredFps',
      'inferenceMsP50',
      'inferenceMsP99',
      'queueDepth',
    ]);
    expect(m.charts[0]!.series).toEqual([
      { label: 'cam-a', values: [3, 4] },
      { label: 'cam-b', values: [1, 2] },
    ]);
    expect(m.charts[1]!.series).toEqual([
      { label: 'Alerts per read', values: [3, null] },
      { label: 'Plates hit per plate read', values: [33.33, null] },
    ]);
    expect(m.charts[1]!.bounds).toEqual([0, 100]);
    expect(m.charts[1]!.definition).toContain('reads that raised at least one alert ÷ all reads');
    expect(m.charts[1]!.definition).not.toContain('not over this range');
    expect(m.charts[2]!.series).toEqual([{ label: 'cam-a', values: [25, 24] }]);
  });

  it("drops the old range's data at once when the range changes, and says why a refresh failed", async () => {
    let fail = false;
    fakeApi({
      'GET /api/metrics/series': (c) =>
        fail ? { status: 503, json: { error: 'store unavailable' } } : { json: series(c.query.get('range')!) },
    });
    const m = new MetricsState();
    await m.refresh();
    m.setRange('7d');
    m.stop();
    expect([m.range, m.data]).toEqual(['7d', null]);
    await vi.waitFor(() => expect(m.data).not.toBeNull());
    fail = true;
    await m.refresh();
    expect(m.error).toBe('store unavailable');
    // The last good figures stay on screen.
    expect(m.charts).toHaveLength(7);
  });

  it('says which bucket is still filling, and how much of it has passed', () => {
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    expect(partialNote({ since: 1_772_359_200, elapsedShare: 0.5 }, 900, clock)).toBe(
      'The last bucket (from 10:00) is still filling: 50 % of its 15 min has passed, and its rates are over that time. It is shaded.',
    );
    expect(partialNote(null, 900, clock)).toBeNull();
  });

  it('says why a year has no distinct-plate figure', async () => {
    const year = { ...series('1y'), hits: { readsThatHit: [3, 0], alertsPerRead: [0.03, null], platesHitPerPlateRead: null } };
    fakeApi({ 'GET /api/metrics/series': { json: year } });
    const m = new MetricsState();
    await m.refresh();
    expect(m.charts[1]!.series.map((s) => s.label)).toEqual(['Alerts per read']);
    expect(m.charts[1]!.definition).toContain('Distinct plates can be counted only while reads are kept (30 days): not over this range.');
  });
});
