import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import type { CameraMetrics } from '../../contracts/index.ts';
import { valid } from '../validate.ts';

/**
 * Time series for the dashboard's charts. Read counts come from the store (minutely from
 * `reads` for ranges up to a day, from the `reads_hourly` aggregate beyond, because reads are
 * purged after the tactical window while the hourly counts stay); hits likewise from `alerts`
 * or `alerts_hourly`. Pipeline gauges (fps, inference latency, queue depth) come from the core's
 * memory (5-second samples, last 24 h) for short ranges and from `camera_metrics_minutely`,
 * which the core fills once a minute, for longer ones. Counts only: no plate, no location.
 */
export const SERIES_RANGES = {
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
  '1y': 365 * 86_400,
} as const;
export type SeriesRange = keyof typeof SERIES_RANGES;
/** Bucket per range: about 60-400 points whatever the range, so a year draws as fast as an hour. */
const STEP: Record<SeriesRange, number> = { '1h': 60, '6h': 300, '24h': 900, '7d': 3600, '30d': 6 * 3600, '1y': 86_400 };

const SAMPLE_KEEP_MS = 24 * 3_600_000;
const SAMPLE_MIN_GAP_MS = 5_000;

interface Sample {
  at: number;
  decodedFps: number;
  inferredFps: number | null;
  inferenceMsP50: number | null;
  inferenceMsP99: number | null;
  queueDepth: number;
}

/** The last 24 h of each camera's pipeline metrics, at most one sample per 5 s. */
export class CameraSeries {
  readonly #samples = new Map<string, Sample[]>();
  readonly #last = new Map<string, CameraMetrics>();

  record(m: CameraMetrics): void {
    const at = Date.parse(m.at);
    const list = this.#samples.get(m.cameraId) ?? [];
    const prevMetrics = this.#last.get(m.cameraId);
    const prev = list.at(-1);
    if (prev && at - prev.at < SAMPLE_MIN_GAP_MS) return;
    // Inferred fps is a rate of the inferred-frames counter; a worker restart resets the counter.
    const dt = prevMetrics ? (at - Date.parse(prevMetrics.at)) / 1000 : 0;
    const dn = prevMetrics ? m.framesInferred - prevMetrics.framesInferred : -1;
    list.push({
      at,
      decodedFps: m.decodedFps,
      inferredFps: dt > 0 && dn >= 0 ? dn / dt : null,
      inferenceMsP50: m.inferenceMsP50,
      inferenceMsP99: m.inferenceMsP99,
      queueDepth: m.queueDepth,
    });
    this.#last.set(m.cameraId, m);
    while (list.length && list[0]!.at < at - SAMPLE_KEEP_MS) list.shift();
    this.#samples.set(m.cameraId, list);
  }

  /** One row per camera for the minute starting at `minuteMs`, for camera_metrics_minutely. */
  minuteRows(minuteMs: number) {
    return Object.entries(this.buckets(minuteMs, 60_000, 1)).flatMap(([camera, b]) =>
      b.decodedFps[0] === null || b.decodedFps[0] === undefined
        ? []
        : [
            {
              minute: Math.floor(minuteMs / 1000),
              camera_id: camera,
              decoded_fps: b.decodedFps[0],
              inferred_fps: b.inferredFps[0] ?? null,
              inference_ms_p50: b.inferenceMsP50[0] ?? null,
              inference_ms_p99: b.inferenceMsP99[0] ?? null,
              queue_depth: Math.round(b.queueDepth[0] ?? 0),
            },
          ],
    );
  }

  /** Bucket means over [from, from + n*step): one array per gauge, null where no sample fell. */
  buckets(from: number, stepMs: number, n: number) {
    const out: Record<string, Record<Exclude<keyof Sample, 'at'>, (number | null)[]>> = {};
    for (const [camera, list] of this.#samples) {
      const sums = {
        decodedFps: [] as number[][],
        inferredFps: [] as number[][],
        inferenceMsP50: [] as number[][],
        inferenceMsP99: [] as number[][],
        queueDepth: [] as number[][],
      };
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] = Array.from({ length: n }, () => []);
      for (const s of list) {
        const i = Math.floor((s.at - from) / stepMs);
        if (i < 0 || i >= n) continue;
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) if (s[k] !== null) sums[k][i]!.push(s[k]);
      }
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      out[camera] = {
        decodedFps: sums.decodedFps.map(mean),
        inferredFps: sums.inferredFps.map(mean),
        inferenceMsP50: sums.inferenceMsP50.map(mean),
        // The worst p99 of the bucket, not a mean of percentiles that would hide a spike.
        inferenceMsP99: sums.inferenceMsP99.map((xs) => (xs.length ? Math.max(...xs) : null)),
        queueDepth: sums.queueDepth.map((xs) => (xs.length ? Math.max(...xs) : null)),
      };
    }
    return out;
  }
}

const seriesQuery = z.strictObject({ range: z.enum(Object.keys(SERIES_RANGES) as [SeriesRange, ...SeriesRange[]]).default('1h') });

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Pipeline gauges per camera and bucket from the minutely history, in the shape of CameraSeries.buckets. */
async function pipelineHistory(client: ClickHouseClient, params: { from: number; to: number; step: number }, n: number) {
  const history = await rows<{
    b: string;
    camera_id: string;
    fps: number;
    inf: number | null;
    p50: number | null;
    p99: number | null;
    q: string;
  }>(
    client,
    `SELECT toUnixTimestamp(toStartOfInterval(minute, INTERVAL {step:UInt32} SECOND)) AS b, camera_id,
            avg(decoded_fps) AS fps, avg(inferred_fps) AS inf, avg(inference_ms_p50) AS p50, max(inference_ms_p99) AS p99, max(queue_depth) AS q
     FROM camera_metrics_minutely WHERE minute >= fromUnixTimestamp({from:UInt32}) AND minute < fromUnixTimestamp({to:UInt32})
     GROUP BY b, camera_id`,
    params,
  );
  const out: ReturnType<CameraSeries['buckets']> = {};
  const empty = () => new Array<number | null>(n).fill(null);
  for (const r of history) {
    const i = Math.floor((Number(r.b) - params.from) / params.step);
    if (i < 0 || i >= n) continue;
    const cam = (out[r.camera_id] ??= {
      decodedFps: empty(),
      inferredFps: empty(),
      inferenceMsP50: empty(),
      inferenceMsP99: empty(),
      queueDepth: empty(),
    });
    cam.decodedFps[i] = r.fps;
    cam.inferredFps[i] = r.inf;
    cam.inferenceMsP50[i] = r.p50;
    cam.inferenceMsP99[i] = r.p99;
    cam.queueDepth[i] = Number(r.q);
  }
  return out;
}

export function metricsSeriesRoutes(opts: { client: ClickHouseClient; series: CameraSeries; clock?: () => Date }) {
  const clock = opts.clock ?? (() => new Date());
  return new Hono().get('/metrics/series', valid('query', seriesQuery), async (c) => {
    const range = c.req.valid('query').range;
    const step = STEP[range];
    // Buckets aligned to the step, the last one holding now.
    const end = Math.floor(clock().getTime() / 1000 / step) * step + step;
    const n = Math.ceil(SERIES_RANGES[range] / step);
    const from = end - n * step;
    const t = Array.from({ length: n }, (_, i) => from + i * step);
    const params = { from, to: end, step };

    const readRows = await rows<{ b: string; camera_id: string; n: string }>(
      opts.client,
      step < 3600
        ? `SELECT toUnixTimestamp(toStartOfInterval(captured_at, INTERVAL {step:UInt32} SECOND)) AS b, camera_id, count() AS n
           FROM reads WHERE captured_at >= fromUnixTimestamp({from:UInt32}) AND captured_at < fromUnixTimestamp({to:UInt32})
           GROUP BY b, camera_id`
        : `SELECT toUnixTimestamp(toStartOfInterval(hour, INTERVAL {step:UInt32} SECOND)) AS b, camera_id, sum(reads) AS n
           FROM reads_hourly WHERE hour >= fromUnixTimestamp({from:UInt32}) AND hour < fromUnixTimestamp({to:UInt32})
           GROUP BY b, camera_id`,
      params,
    );
    const reads: Record<string, number[]> = {};
    const totals = new Array<number>(n).fill(0);
    for (const r of readRows) {
      const i = Math.floor((Number(r.b) - from) / step);
      if (i < 0 || i >= n) continue;
      (reads[r.camera_id] ??= new Array<number>(n).fill(0))[i] = Number(r.n) / (step / 60);
      totals[i]! += Number(r.n);
    }

    // Hits come from the matcher's alerts (kept 30 days), or their hourly counts (kept a year).
    const hitRows = await rows<{ b: string; n: string }>(
      opts.client,
      step < 3600
        ? `SELECT toUnixTimestamp(toStartOfInterval(raised_at, INTERVAL {step:UInt32} SECOND)) AS b, count() AS n
           FROM alerts WHERE raised_at >= fromUnixTimestamp({from:UInt32}) AND raised_at < fromUnixTimestamp({to:UInt32}) GROUP BY b`
        : `SELECT toUnixTimestamp(toStartOfInterval(hour, INTERVAL {step:UInt32} SECOND)) AS b, sum(hits) AS n
           FROM alerts_hourly WHERE hour >= fromUnixTimestamp({from:UInt32}) AND hour < fromUnixTimestamp({to:UInt32}) GROUP BY b`,
      params,
    ).catch(() => null);
    let hitRate: (number | null)[] | null = null;
    let hits: number[] | null = null;
    if (hitRows) {
      hits = new Array<number>(n).fill(0);
      for (const r of hitRows) {
        const i = Math.floor((Number(r.b) - from) / step);
        if (i >= 0 && i < n) hits[i] = Number(r.n);
      }
      hitRate = hits.map((h, i) => (totals[i] ? h / totals[i]! : null));
    }

    return c.json({
      range,
      stepSeconds: step,
      t,
      /** Reads per minute, per camera, averaged over each bucket. */
      reads,
      hits,
      hitRate,
      pipeline:
        SERIES_RANGES[range] <= 86_400 ? opts.series.buckets(from * 1000, step * 1000, n) : await pipelineHistory(opts.client, params, n),
      pipelineNote:
        SERIES_RANGES[range] <= 86_400
          ? 'pipeline gauges from 5-second samples kept in the core since it started (last 24 hours)'
          : 'pipeline gauges from the per-minute history (kept a year)',
    });
  });
}
