import type { ClickHouseClient } from '@clickhouse/client';
import { OWNER_REMINDER, alertSchema, type Alert } from '../contracts/index.ts';
import { fold, type AlertState, type WorkflowEvent } from './workflow.ts';

/** Alerts and their timelines in ClickHouse; every value a bound parameter. */
export interface StoredAlert {
  alert: Alert;
  state: AlertState;
  events: WorkflowEvent[];
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
  // An alert lives as long as its read (migration 032): a historical alert on a read a case
  // already holds starts with that hold.
  const held = await client.query({
    query: 'SELECT toString(id) AS sid, toUnixTimestamp(max(held_until)) AS until FROM reads WHERE id IN {ids:Array(UUID)} GROUP BY id',
    query_params: { ids: [...new Set(fresh.map((a) => a.read.id))] },
    format: 'JSONEachRow',
  });
  const heldUntil = new Map((await held.json<{ sid: string; until: number }>()).map((r) => [r.sid, Number(r.until)]));
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
  return fresh;
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

function withState(alert: Alert, events: WorkflowEvent[]): StoredAlert {
  return { alert, state: fold(events), events, reminder: OWNER_REMINDER };
}

export interface AlertQuery {
  from?: Date;
  to?: Date;
  status?: AlertState['status'];
  camera?: string;
  source?: string;
  limit: number;
}

export async function listAlerts(client: ClickHouseClient, q: AlertQuery): Promise<StoredAlert[]> {
  const where = ['1'];
  const params: Record<string, unknown> = { limit: q.status ? Math.min(5000, q.limit * 10) : q.limit };
  if (q.from) where.push('raised_at >= fromUnixTimestamp64Milli({from:Int64})'), (params.from = q.from.getTime());
  if (q.to) where.push('raised_at < fromUnixTimestamp64Milli({to:Int64})'), (params.to = q.to.getTime());
  if (q.camera) where.push('camera_id = {camera:String}'), (params.camera = q.camera);
  if (q.source) where.push('source = {source:String}'), (params.source = q.source);
  const rs = await client.query({
    query: `SELECT payload FROM alerts FINAL WHERE ${where.join(' AND ')} ORDER BY raised_at DESC LIMIT {limit:UInt32}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const alerts = (await rs.json<{ payload: string }>()).map((r) => alertSchema.parse(JSON.parse(r.payload)));
  const events = await eventsOf(
    client,
    alerts.map((a) => a.id),
  );
  const all = alerts.map((a) => withState(a, events.get(a.id) ?? []));
  return (q.status ? all.filter((s) => s.state.status === q.status) : all).slice(0, q.limit);
}

export async function getAlert(client: ClickHouseClient, id: string): Promise<StoredAlert | null> {
  const rs = await client.query({
    query: 'SELECT payload FROM alerts FINAL WHERE id = {id:UUID} LIMIT 1',
    query_params: { id },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ payload: string }>())[0];
  if (!row) return null;
  const alert = alertSchema.parse(JSON.parse(row.payload));
  return withState(alert, (await eventsOf(client, [id])).get(id) ?? []);
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
