import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraSeries, metricsSeriesRoutes } from '../../server/routes/metrics-series.ts';
import { startTestStore } from '../helpers/store.ts';

/** The dashboard's year-long charts read history the core keeps in ClickHouse (numbers only). */
let store: Awaited<ReturnType<typeof startTestStore>>;
const DAY = 86_400_000;
const now = new Date();

beforeAll(async () => {
  store = await startTestStore();
  const hundredDaysAgo = Math.floor((now.getTime() - 100 * DAY) / 60_000) * 60;
  await store.client.insert({
    table: 'camera_metrics_minutely',
    values: [
      {
        minute: hundredDaysAgo,
        camera_id: 'cam-a',
        decoded_fps: 24,
        inferred_fps: 6,
        inference_ms_p50: 40,
        inference_ms_p99: 120,
        queue_depth: 2,
      },
      {
        minute: hundredDaysAgo + 60,
        camera_id: 'cam-a',
        decoded_fps: 26,
        inferred_fps: 8,
        inference_ms_p50: 60,
        inference_ms_p99: 300,
        queue_depth: 1,
      },
    ],
    format: 'JSONEachRow',
  });
  // Three reads that raised alerts 100 days ago: the alerts table's 30-day TTL drops them, the
  // hourly count of distinct hit reads stays.
  const old = now.getTime() - 100 * DAY;
  await store.client.insert({
    table: 'alerts',
    values: [1, 2, 3].map(() => ({
      id: crypto.randomUUID(),
      raised_at: old,
      stored_at: old,
      captured_at: old,
      read_id: crypto.randomUUID(),
      plate: 'OLD1',
    })),
    format: 'JSONEachRow',
  });
});
afterAll(async () => store?.stop());

describe('metrics history for long chart ranges', () => {
  it('serves a year of pipeline gauges and hits from the stored history', async () => {
    const app = metricsSeriesRoutes({ client: store.client, series: new CameraSeries(), clock: () => now });
    const body = (await (await app.request('/metrics/series?range=1y')).json()) as {
      t: number[];
      hits: { readsThatHit: number[] };
      pipeline: Record<string, { decodedFps: (number | null)[]; inferenceMsP99: (number | null)[]; queueDepth: (number | null)[] }>;
    };
    const cam = body.pipeline['cam-a']!;
    const i = cam.decodedFps.findIndex((v) => v !== null);
    expect(cam.decodedFps[i]).toBe(25); // mean over the day's bucket
    expect(cam.inferenceMsP99[i]).toBe(300); // the worst, not a mean
    expect(cam.queueDepth[i]).toBe(2);
    expect(body.hits.readsThatHit.reduce((a, b) => a + b, 0)).toBe(3);
    // The bucket is the one 100 days back.
    expect(Math.abs(body.t[i]! * 1000 - (now.getTime() - 100 * DAY))).toBeLessThan(DAY);
  });

  it('counts stored alerts per hour as they are written', async () => {
    const hour = Math.floor(now.getTime() / 3_600_000) * 3600;
    await store.client.insert({
      table: 'alerts',
      values: [1, 2].map(() => ({
        id: crypto.randomUUID(),
        raised_at: now.getTime(),
        stored_at: now.getTime(),
        camera_id: 'cam-a',
        read_id: crypto.randomUUID(),
        plate: 'ABC1234',
        source: 'agency',
        record_id: 'R1',
        category: 'stolen_vehicle',
        match_kind: 'exact',
        score: 1,
        stale: false,
        historical: false,
        payload: '{}',
      })),
      format: 'JSONEachRow',
    });
    const rs = await store.client.query({
      query: 'SELECT sum(hits) AS n FROM alerts_hourly WHERE hour = fromUnixTimestamp({h:UInt32})',
      query_params: { h: hour },
      format: 'JSONEachRow',
    });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBe(2);
  });
});
