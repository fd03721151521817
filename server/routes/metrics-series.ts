import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import type { CameraMetrics } from '../../contracts/index.ts';
import { bucketGrid, type HitCounts, hitFigures, perMinute } from '../figures.ts';
import { valid } from '../validate.ts';

/**
 * Time series for the dashboard's charts. Read counts come from the store (minutely from
 * `reads` for ranges up to a day, from the `reads_hourly` aggregate beyond, because reads are
 * purged after the tactical window while the hourly counts stay); hit figures by capture time
 * (server/figures.ts says what each means). Pipeline gauges (fps, inference latency, queue depth) come from the core's
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

/** Reads are kept this long (the tactical window): beyond it only hourly counts remain. */
const READS_KEPT_SECONDS = 30 * 86_400;

const IN_RANGE = 'captured_at >= fromUnixTimestamp({from:UInt32}) AND captured_at < fromUnixTimestamp({to:UInt32})';
/** Reads that raised an alert. */
const HIT_READ_IDS = `(SELECT read_id FROM alerts WHERE ${IN_RANGE})`;
/**
 * Reads that matched a list entry: those that raised an alert, and those that joined one as a
 * further sighting of the same vehicle (alert_sightings, one alert per encounter).
 */
const MATCHED_READ_IDS = `(SELECT read_id FROM alerts WHERE ${IN_RANGE} UNION ALL SELECT read_id FROM alert_sightings WHERE ${IN_RANGE})`;

interface HitRow {
  b: string;
  n_reads: string;
  n_plates: string;
  n_hit_reads: string;
  n_hit_plates: string;
}

/**
 * Reads and those that raised an alert, distinct plates and those that matched a list (raised
 * an alert or joined one as a further sighting), per bucket of capture time.
 * From the reads themselves while they are kept; a read that raised alerts on two lists, or an
 * alert stored twice, is one hit read. Beyond the tactical window, from the hourly counts:
 * reads from reads_hourly, hit reads from hit_reads_hourly (distinct read ids), and no distinct
 * plates, which no hourly count can add up to.
 */
async function hitCounts(client: ClickHouseClient, params: { from: number; to: number; step: number }, stored: boolean) {
  return rows<HitRow>(
    client,
    stored
      ? `SELECT toUnixTimestamp(toStartOfInterval(captured_at, INTERVAL {step:UInt32} SECOND)) AS b,
                count() AS n_reads, uniqExact(plate_norm) AS n_plates,
                countIf(id IN ${HIT_READ_IDS}) AS n_hit_reads, uniqExactIf(plate_norm, id IN ${MATCHED_READ_IDS}) AS n_hit_plates
         FROM reads FINAL
         WHERE captured_at >= fromUnixTimestamp({from:UInt32}) AND captured_at < fromUnixTimestamp({to:UInt32})
         GROUP BY b`
      : `SELECT b, r.n AS n_reads, 0 AS n_plates, h.n AS n_hit_reads, 0 AS n_hit_plates
         FROM (SELECT toUnixTimestamp(toStartOfInterval(hour, INTERVAL {step:UInt32} SECOND)) AS b, sum(reads) AS n
               FROM reads_hourly WHERE hour >= fromUnixTimestamp({from:UInt32}) AND hour < fromUnixTimestamp({to:UInt32}) GROUP BY b) AS r
         FULL JOIN (SELECT toUnixTimestamp(toStartOfInterval(hour, INTERVAL {step:UInt32} SECOND)) AS b, uniqExactMerge(hit_reads) AS n
               FROM hit_reads_hourly WHERE hour >= fromUnixTimestamp({from:UInt32}) AND hour < fromUnixTimestamp({to:UInt32}) GROUP BY b) AS h
         USING b`,
    params,
  );
}

export function metricsSeriesRoutes(opts: { client: ClickHouseClient; series: CameraSeries; clock?: () => Date }) {
  const clock = opts.clock ?? (() => new Date());
  return new Hono().get('/metrics/series', valid('query', seriesQuery), async (c) => {
    const range = c.req.valid('query').range;
    const grid = bucketGrid(clock().getTime(), SERIES_RANGES[range], STEP[range]);
    const { from, end, step, t } = grid;
    const n = t.length;
    const params = { from, to: end, step };
    const bucketOf = (b: string) => {
      const i = Math.floor((Number(b) - from) / step);
      return i >= 0 && i < n ? i : null;
    };

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
    const counts: Record<string, number[]> = {};
    for (const r of readRows) {
      const i = bucketOf(r.b);
      if (i !== null) (counts[r.camera_id] ??= new Array<number>(n).fill(0))[i] = Number(r.n);
    }
    // Per minute over the time each bucket covered: the bucket still filling is not a dip (0 in
    // its first second, when no rate can be told; the answer marks it partial).
    const reads = Object.fromEntries(Object.entries(counts).map(([cam, xs]) => [cam, xs.map((x, i) => perMinute(grid, i, x) ?? 0)]));

    const stored = SERIES_RANGES[range] <= READS_KEPT_SECONDS;
    const hitRows = await hitCounts(opts.client, params, stored).catch(() => null);
    let hits: {
      readsThatHit: number[];
      alertsPerRead: (number | null)[];
      platesHitPerPlateRead: (number | null)[] | null;
    } | null = null;
    if (hitRows) {
      const per: HitCounts[] = Array.from({ length: n }, () => ({ reads: 0, hitReads: 0, plates: 0, hitPlates: 0 }));
      for (const r of hitRows) {
        const i = bucketOf(r.b);
        if (i !== null)
          per[i] = {
            reads: Number(r.n_reads),
            hitReads: Number(r.n_hit_reads),
            plates: Number(r.n_plates),
            hitPlates: Number(r.n_hit_plates),
          };
      }
      const figures = per.map(hitFigures);
      hits = {
        readsThatHit: per.map((p) => p.hitReads),
        alertsPerRead: figures.map((f) => f.alertsPerRead),
        platesHitPerPlateRead: stored ? figures.map((f) => f.platesHitPerPlateRead) : null,
      };
    }

    return c.json({
      range,
      stepSeconds: step,
      t,
      /** The last bucket when it is still filling: the charts mark it rather than draw it as a dip. */
      partial: grid.partial,
      /** Reads per minute, per camera, over the time each bucket covered. */
      reads,
      /** Hit figures per bucket of capture time; each a share of the bucket's reads, in [0, 1]. */
      hits,
      hitsNote: stored
        ? 'by capture time; alerts per read: reads that raised at least one alert ÷ reads; plates hit per plate read: distinct plates that matched a hotlist entry (an alert or a further sighting of one) ÷ distinct plates read'
        : `by capture time, from hourly counts; distinct plates only over ranges up to ${READS_KEPT_SECONDS / 86_400} days, while reads are kept`,
      pipeline:
        SERIES_RANGES[range] <= 86_400 ? opts.series.buckets(from * 1000, step * 1000, n) : await pipelineHistory(opts.client, params, n),
      pipelineNote:
        SERIES_RANGES[range] <= 86_400
          ? 'pipeline gauges from 5-second samples kept in the core since it started (last 24 hours)'
          : 'pipeline gauges from the per-minute history (kept a year)',
    });
  });
}
