import type { ClickHouseClient } from '@clickhouse/client';
import { OWNER_REMINDER, alertSchema, type Alert, type AlertEncounter, type AlertSighting } from '../contracts/index.ts';
import { encountersOf } from './sightings.ts';
import { fold, type AlertState, type WorkflowEvent } from './workflow.ts';

/** Alerts and their timelines in ClickHouse; every value a bound parameter. */
export interface StoredAlert {
  alert: Alert;
  state: AlertState;
  events: WorkflowEvent[];
  /** How often, and when and where last, the vehicle was seen: one alert per encounter. */
  encounter: AlertEncounter;
  /** The latest sightings, most recent first (the first read is the alert's own). */
  sightings: AlertSighting[];
  /** Guidelines 5d, with every alert wherever it is shown. */
  reminder: string;
}

/** Inserts the alerts not stored yet and returns those (the new ones, to notify). */
export async function storeAlerts(client: ClickHouseClient, alerts: Alert[], now = Date.now()): Promise<Alert[]> {
  if (!alerts.length) return [];
  const unique = [...new Map(alerts.map((a) => [a.id, a])).values()];
  const rs = await client.query({
    query: 'SELECT toString(id) AS sid FROM alerts WHERE id IN {ids:Array(UUID)}',
    query_params: { ids: unique.map((a) => a.id) },
    format: 'JSONEachRow',
  });
  const have = new Set((await rs.json<{ sid: string }>()).map((r) => r.sid));
  const fresh = unique.filter((a) => !have.has(a.id));
  if (!fresh.length) return [];
  await insertAlerts(client, fresh, await heldUntilOf(client, fresh), now);
  return fresh;
}

/**
 * The case hold of each read (unix seconds, 0 when none): an alert lives as long as its read
 * (migration 032), so a historical alert on a read a case already holds starts with that hold.
 */
export async function heldUntilOf(client: ClickHouseClient, hits: readonly Alert[]): Promise<Map<string, number>> {
  if (!hits.length) return new Map();
  const held = await client.query({
    query: 'SELECT toString(id) AS sid, toUnixTimestamp(max(held_until)) AS until FROM reads WHERE id IN {ids:Array(UUID)} GROUP BY id',
    query_params: { ids: [...new Set(hits.map((a) => a.read.id))] },
    format: 'JSONEachRow',
  });
  return new Map((await held.json<{ sid: string; until: number }>()).map((r) => [r.sid, Number(r.until)]));
}

/** Writes alerts known to be new (the caller checked their ids). */
export async function insertAlerts(client: ClickHouseClient, fresh: readonly Alert[], heldUntil: Map<string, number>, now: number) {
  if (!fresh.length) return;
  await client.insert({
    table: 'alerts',
    values: fresh.map((a) => ({
      captured_at: Date.parse(a.read.capturedAt),
      held_until: heldUntil.get(a.read.id) ?? 0,
      id: a.id,
      raised_at: Date.parse(a.raisedAt),
      stored_at: now,
      camera_id: a.read.cameraId,
      read_id: a.read.id,
      plate: a.record.plate,
      source: a.record.source,
      record_id: a.record.recordId,
      category: a.record.category,
      match_kind: a.matchKind,
      score: a.score,
      stale: a.stale,
      historical: a.historical,
      payload: JSON.stringify(a),
    })),
    format: 'JSONEachRow',
  });
}

interface EventRow {
  aid: string;
  seq: number;
  at_ms: string;
  actor: string;
  action: WorkflowEvent['action'];
  data: string;
}

async function eventsOf(client: ClickHouseClient, ids: string[]): Promise<Map<string, WorkflowEvent[]>> {
  const out = new Map<string, WorkflowEvent[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rs = await client.query({
    query: `SELECT toString(alert_id) AS aid, seq, toString(toUnixTimestamp64Milli(at)) AS at_ms, actor, action, data
            FROM alert_events FINAL WHERE alert_id IN {ids:Array(UUID)} ORDER BY aid, seq`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  for (const r of await rs.json<EventRow>()) {
    out.get(r.aid)?.push({
      seq: r.seq,
      at: new Date(Number(r.at_ms)).toISOString(),
      actor: r.actor,
      action: r.action,
      data: JSON.parse(r.data) as WorkflowEvent['data'],
    });
  }
  return out;
}

async function withStates(client: ClickHouseClient, alerts: Alert[]): Promise<StoredAlert[]> {
  const ids = alerts.map((a) => a.id);
  const [events, encounters] = await Promise.all([eventsOf(client, ids), encountersOf(client, alerts)]);
  return alerts.map((alert) => {
    const ev = events.get(alert.id) ?? [];
    const { encounter, sightings } = encounters.get(alert.id)!;
    return { alert, state: fold(ev), events: ev, encounter, sightings, reminder: OWNER_REMINDER };
  });
}

export interface AlertQuery {
  from?: Date;
  to?: Date;
  /** 'open': new or acknowledged, the queue. */
  status?: AlertState['status'] | 'open';
  /** live: the operator's queue; historical: hits on past reads, for investigators and supervisors. */
  view: 'live' | 'historical' | 'all';
  camera?: string;
  source?: string;
  limit: number;
  offset: number;
}

export interface AlertPage {
  alerts: StoredAlert[];
  /** Alerts the query matches, across all pages. */
  total: number;
  /** Open alerts of the view and period, whatever the status asked: how many wait. */
  waiting: number;
  offset: number;
  limit: number;
}

/** Status from the timeline in SQL, so the queue filters, counts and pages in the store. */
const STATUS_SQL = "if(ev.closed, 'closed', if(ev.acked, 'acknowledged', 'new'))";

/** The queue: the record's priority (1 most urgent) first, then the latest sighting. */
export async function listAlerts(client: ClickHouseClient, q: AlertQuery): Promise<AlertPage> {
  const where = ['1'];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  const when = (cond: unknown, sql: string, name: string, value: unknown) => {
    if (!cond) return;
    where.push(sql);
    params[name] = value;
  };
  when(q.from, 'a.raised_at >= fromUnixTimestamp64Milli({from:Int64})', 'from', q.from?.getTime());
  when(q.to, 'a.raised_at < fromUnixTimestamp64Milli({to:Int64})', 'to', q.to?.getTime());
  when(q.camera, 'a.camera_id = {camera:String}', 'camera', q.camera);
  when(q.source, 'a.source = {source:String}', 'source', q.source);
  if (q.view !== 'all') where.push(q.view === 'historical' ? 'a.historical' : 'NOT a.historical');
  const status = q.status === 'open' ? `${STATUS_SQL} != 'closed'` : q.status ? `${STATUS_SQL} = {status:String}` : '1';
  if (q.status && q.status !== 'open') params.status = q.status;
  const from = `(SELECT id, raised_at, camera_id, source, historical, priority, captured_at, payload FROM alerts FINAL) AS a
    LEFT JOIN (SELECT alert_id, max(action = 'dispose') AS closed, max(action = 'acknowledge') AS acked
               FROM alert_events GROUP BY alert_id) AS ev ON ev.alert_id = a.id
    LEFT JOIN (SELECT alert_id, max(captured_at) AS last_seen FROM alert_sightings GROUP BY alert_id) AS si ON si.alert_id = a.id
    WHERE ${where.join(' AND ')}`;
  const [rows, counts] = await Promise.all([
    client
      .query({
        query: `SELECT a.payload AS payload FROM ${from} AND ${status}
                ORDER BY a.priority ASC, greatest(a.captured_at, si.last_seen) DESC, a.id
                LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      .then((rs) => rs.json<{ payload: string }>()),
    client
      .query({
        query: `SELECT countIf(${status}) AS total, countIf(NOT ev.closed) AS waiting FROM ${from}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      .then((rs) => rs.json<{ total: string | number; waiting: string | number }>()),
  ]);
  const alerts = rows.map((r) => alertSchema.parse(JSON.parse(r.payload)));
  return {
    alerts: await withStates(client, alerts),
    total: Number(counts[0]?.total ?? 0),
    waiting: Number(counts[0]?.waiting ?? 0),
    offset: q.offset,
    limit: q.limit,
  };
}

export async function getAlert(client: ClickHouseClient, id: string): Promise<StoredAlert | null> {
  const rs = await client.query({
    query: 'SELECT payload FROM alerts FINAL WHERE id = {id:UUID} LIMIT 1',
    query_params: { id },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ payload: string }>())[0];
  if (!row) return null;
  return (await withStates(client, [alertSchema.parse(JSON.parse(row.payload))]))[0]!;
}

export async function appendEvent(client: ClickHouseClient, alertId: string, e: WorkflowEvent): Promise<void> {
  // The timeline lives exactly as long as its alert: same capture time, same hold.
  const rs = await client.query({
    query:
      'SELECT toUnixTimestamp64Milli(captured_at) AS captured, toUnixTimestamp(held_until) AS until FROM alerts FINAL WHERE id = {id:UUID} LIMIT 1',
    query_params: { id: alertId },
    format: 'JSONEachRow',
  });
  const [alert] = await rs.json<{ captured: string | number; until: number }>();
  if (!alert) throw new Error(`alert ${alertId} is not stored (or its retention has ended)`);
  await client.insert({
    table: 'alert_events',
    values: [
      {
        alert_id: alertId,
        seq: e.seq,
        at: Date.parse(e.at),
        actor: e.actor,
        action: e.action,
        data: JSON.stringify(e.data),
        captured_at: Number(alert.captured),
        held_until: Number(alert.until),
      },
    ],
    format: 'JSONEachRow',
  });
}

/** Unacknowledged, unescalated alerts raised before `before` (and within the last day). */
export async function overdueAlerts(client: ClickHouseClient, before: Date): Promise<string[]> {
  const rs = await client.query({
    query: `SELECT toString(id) AS sid FROM alerts FINAL
            WHERE raised_at < fromUnixTimestamp64Milli({before:Int64}) AND raised_at > fromUnixTimestamp64Milli({floor:Int64})
              AND NOT historical
              AND id NOT IN (SELECT alert_id FROM alert_events WHERE action IN ('acknowledge', 'escalate', 'dispose'))
            LIMIT 1000`,
    query_params: { before: before.getTime(), floor: before.getTime() - 86_400_000 },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ sid: string }>()).map((r) => r.sid);
}
