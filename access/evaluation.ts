import type { ClickHouseClient } from '@clickhouse/client';
import type { RetentionConfig } from '../contracts/index.ts';
import { share, uptime } from '../server/index.ts';
import { retentionReport } from '../store/index.ts';
import type { AuditLog } from './audit-log.ts';
import { listDeploymentEvents, listDeployments } from './deployments.ts';
import { listDisseminations } from './disseminations.ts';
import { ALERT_ACTION, verificationFigures } from './reports.ts';

/**
 * The figures of the annual evaluation (guidelines 7b), gathered from the store: numbers only,
 * each with what it is a share of. evaluation-view.ts turns them into the report's sections.
 * Reads and hit reads come from hourly counts that outlive the reads; distinct plates only from
 * the reads still kept (the tactical window), and the report says over which days.
 */
export interface EvaluationInput {
  client: ClickHouseClient;
  audit: AuditLog;
  retention: RetentionConfig;
  from: Date;
  to: Date;
  clock?: () => Date;
}

const DAY = 86_400_000;

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Read ids that raised an alert, by capture time; null where the store has no alerts table. */
const hitReadsIn = (client: ClickHouseClient, p: { from: number; to: number }) =>
  rows<{ n: string }>(
    client,
    `SELECT uniqExactMerge(hit_reads) AS n FROM hit_reads_hourly
     WHERE hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})`,
    p,
  )
    .then((r) => Number(r[0]?.n ?? 0))
    .catch(() => null);

/** Alerts raised in the period (one list entry each), from the hourly count that outlives them. */
const alertsRaisedIn = (client: ClickHouseClient, p: { from: number; to: number }) =>
  rows<{ n: string }>(
    client,
    `SELECT sum(hits) AS n FROM alerts_hourly
     WHERE hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})`,
    p,
  )
    .then((r) => Number(r[0]?.n ?? 0))
    .catch(() => null);

/** Distinct plates read, and of them those that matched a list (an alert or a further sighting of one), over the part of the period whose reads are kept. */
async function platesIn(client: ClickHouseClient, p: { from: number; to: number }) {
  if (p.to <= p.from) return null;
  const r = await rows<{ plates: string; hit: string }>(
    client,
    `SELECT uniqExact(plate_norm) AS plates,
            uniqExactIf(plate_norm, id IN (
              SELECT read_id FROM alerts WHERE captured_at >= fromUnixTimestamp64Milli({from:Int64}) AND captured_at < fromUnixTimestamp64Milli({to:Int64})
              UNION ALL
              SELECT read_id FROM alert_sightings WHERE captured_at >= fromUnixTimestamp64Milli({from:Int64}) AND captured_at < fromUnixTimestamp64Milli({to:Int64}))) AS hit
     FROM reads FINAL WHERE captured_at >= fromUnixTimestamp64Milli({from:Int64}) AND captured_at < fromUnixTimestamp64Milli({to:Int64})`,
    p,
  ).catch(() => null);
  if (!r) return null;
  const plates = Number(r[0]?.plates ?? 0);
  const hit = Number(r[0]?.hit ?? 0);
  return { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), plates, platesHit: hit, share: share(hit, plates) };
}

/** Per camera: minutes it delivered frames in the period, its first report ever, mean fps and worst p99 inference. */
const pipelineIn = (client: ClickHouseClient, p: { from: number; to: number }) =>
  rows<{ camera_id: string; up: string; first: string | null; fps: number | null; p99: number | null }>(
    client,
    `SELECT camera_id, countIf(minute >= fromUnixTimestamp64Milli({from:Int64}) AND minute < fromUnixTimestamp64Milli({to:Int64}) AND decoded_fps > 0) AS up,
            toUnixTimestamp(min(minute)) AS first,
            avgIf(decoded_fps, minute >= fromUnixTimestamp64Milli({from:Int64}) AND minute < fromUnixTimestamp64Milli({to:Int64})) AS fps,
            maxIf(inference_ms_p99, minute >= fromUnixTimestamp64Milli({from:Int64}) AND minute < fromUnixTimestamp64Milli({to:Int64})) AS p99
     FROM camera_metrics_minutely WHERE minute < fromUnixTimestamp64Milli({to:Int64}) GROUP BY camera_id`,
    p,
  ).catch(() => []);

export async function evaluationReport(i: EvaluationInput) {
  const { client } = i;
  const now = (i.clock ?? (() => new Date()))().getTime();
  const p = { from: i.from.getTime(), to: i.to.getTime() };
  const hours = Math.max(1, Math.round((p.to - p.from) / 3_600_000));
  const perCamera = await rows<{ camera_id: string; n_reads: string; n_low: string; n_no_state: string; n_hours: string }>(
    client,
    // Aliases differ from the column names: ClickHouse would substitute an alias into the other aggregates.
    `SELECT camera_id, sum(reads) AS n_reads, sum(low_confidence) AS n_low, sum(no_state) AS n_no_state, uniqExactIf(hour, reads > 0) AS n_hours
     FROM reads_hourly WHERE hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})
     GROUP BY camera_id ORDER BY camera_id`,
    p,
  );
  const pipeline = new Map((await pipelineIn(client, p)).map((r) => [r.camera_id, r]));
  const ids = [...new Set([...perCamera.map((r) => r.camera_id), ...pipeline.keys()])].sort();
  const cameras = ids.map((cameraId) => {
    const r = perCamera.find((x) => x.camera_id === cameraId);
    const m = pipeline.get(cameraId);
    const [n, h] = [Number(r?.n_reads ?? 0), Number(r?.n_hours ?? 0)];
    const up = uptime({
      minutesUp: Number(m?.up ?? 0),
      fromMs: p.from,
      toMs: p.to,
      firstSeenMs: m?.first ? Number(m.first) * 1000 : null,
      nowMs: now,
    });
    return {
      cameraId,
      reads: n,
      hoursWithReads: h,
      readsPerActiveHour: h ? n / h : null,
      /** Minutes with frames over the minutes since the camera first reported (null: it never did). */
      uptime: up.share,
      uptimeSince: up.sinceMs === null ? null : new Date(up.sinceMs).toISOString(),
      observedMinutes: up.observedMinutes,
      meanFps: m?.fps ?? null,
      worstInferenceMsP99: m?.p99 ?? null,
      lowConfidenceShare: share(Number(r?.n_low ?? 0), n),
      noStateShare: share(Number(r?.n_no_state ?? 0), n),
    };
  });
  const reads = cameras.reduce((a, c) => a + c.reads, 0);
  const keptFrom = Math.max(p.from, now - i.retention.tacticalDays * DAY);
  const [hitReads, alertsRaised, plates] = await Promise.all([
    hitReadsIn(client, p),
    alertsRaisedIn(client, p),
    platesIn(client, { from: keptFrom, to: Math.min(p.to, now) }),
  ]);
  const ver = verificationFigures(await i.audit.list({ from: i.from, to: i.to, action: ALERT_ACTION, limit: 10_000 }));
  const [deployments, events, dissem] = await Promise.all([
    listDeployments(client),
    listDeploymentEvents(client),
    listDisseminations(client, { from: i.from, to: i.to }),
  ]);
  const retention = await retentionReport(client, i.retention, 400).catch(() => null);
  const runs = retention?.runs.filter((r) => Date.parse(r.runAt) >= p.from && Date.parse(r.runAt) < p.to) ?? [];
  return {
    period: { from: i.from.toISOString(), to: i.to.toISOString(), hours },
    reads,
    /** Reads that raised at least one alert, by capture time. */
    hitReads,
    alertsPerRead: hitReads === null ? null : share(hitReads, reads),
    /** Alerts raised in the period (a read on two lists raises two). */
    alertsRaised,
    plates,
    ...ver,
    cameras,
    dataQuality: {
      lowConfidenceShare: share(
        cameras.reduce((a, c) => a + (c.lowConfidenceShare ?? 0) * c.reads, 0),
        reads,
      ),
      noStateShare: share(
        cameras.reduce((a, c) => a + (c.noStateShare ?? 0) * c.reads, 0),
        reads,
      ),
      lowConfidenceBelow: 0.8,
    },
    purge: {
      settings: i.retention,
      runs: runs.length,
      runsLeavingExpiredRows: runs.filter((r) => r.remainingExpired > 0).length,
      purgedRows: runs.reduce((a, r) => a + r.purgedRows, 0),
      heldReads: retention?.heldReads ?? null,
      compliant: retention ? runs.length > 0 && runs.every((r) => r.remainingExpired === 0) : null,
    },
    deployments: deployments.map((d) => ({
      id: d.id,
      cameraId: d.cameraId,
      status: d.status,
      mode: d.mode,
      authorizedBy: d.authorizedBy,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      results: events.filter((e) => e.deploymentId === d.id && e.kind === 'result').length,
      exceptions: events.filter((e) => e.deploymentId === d.id && e.kind === 'exception').length,
    })),
    disseminations: {
      sent: dissem.filter((d) => d.outcome === 'sent').length,
      refused: dissem.filter((d) => d.outcome === 'refused').length,
    },
  };
}

export type EvaluationReport = Awaited<ReturnType<typeof evaluationReport>>;
