import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert, AlertEncounter, AlertSighting } from '../contracts/index.ts';
import { isHistorical, planEncounters, suppressionWindowMs, type OpenEncounter, type SuppressionPolicy } from './encounter.ts';
import { heldUntilOf, insertAlerts } from './store.ts';

/**
 * Hits into alerts and sightings (migration 130): the suppression decision is the pure
 * planEncounters; this file asks the store which open alerts a batch may join and writes the
 * outcome, alerts before sightings, so a crash in between leaves nothing a redelivery skips.
 */
export interface Sighted {
  alertId: string;
  sighting: AlertSighting;
  /** Whether the alert it joined is historical (kept out of the live stream). */
  historical: boolean;
}

export interface Ingested {
  raised: Alert[];
  sighted: Sighted[];
}

const placeOf = (a: Alert) => a.read.location.description ?? null;

export function sightingOf(a: Alert): AlertSighting {
  return { readId: a.read.id, cameraId: a.read.cameraId, seenAt: a.read.capturedAt, plate: a.read.plate, place: placeOf(a) };
}

const keyOf = (a: Alert) => `${a.record.source}\u0000${a.record.recordId}`;

/** Open (not disposed) alerts of these records with a sighting between floor and ceil. */
async function openEncounters(client: ClickHouseClient, hits: Alert[], floor: number, ceil: number): Promise<OpenEncounter[]> {
  const rs = await client.query({
    query: `SELECT toString(a.id) AS aid, a.historical AS historical, a.source AS source, a.record_id AS record_id, a.plate AS plate,
                   s.first_ms AS first_ms, s.last_ms AS last_ms
            FROM (SELECT id, historical, source, record_id, plate FROM alerts FINAL
                  WHERE concat(source, '\\0', record_id) IN {keys:Array(String)}) AS a
            INNER JOIN (SELECT alert_id, min(toUnixTimestamp64Milli(captured_at)) AS first_ms, max(toUnixTimestamp64Milli(captured_at)) AS last_ms
                        FROM alert_sightings
                        WHERE alert_id IN (SELECT id FROM alerts WHERE concat(source, '\\0', record_id) IN {keys:Array(String)})
                        GROUP BY alert_id
                        HAVING last_ms >= {floor:Int64} AND first_ms <= {ceil:Int64}) AS s ON s.alert_id = a.id
            WHERE a.id NOT IN (SELECT alert_id FROM alert_events WHERE action = 'dispose')`,
    query_params: { keys: [...new Set(hits.map(keyOf))], floor, ceil },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{
    aid: string;
    historical: boolean | number;
    source: string;
    record_id: string;
    plate: string;
    first_ms: string | number;
    last_ms: string | number;
  }>();
  return rows.map((r) => ({
    alertId: r.aid,
    key: `${r.historical ? 'h' : 'l'}\u0000${r.source}\u0000${r.record_id}\u0000${r.plate}`,
    firstSeenMs: Number(r.first_ms),
    lastSeenMs: Number(r.last_ms),
  }));
}

/** Hit ids already stored, as an alert or as a sighting: a redelivered hit does nothing. */
async function seen(client: ClickHouseClient, ids: string[]): Promise<Set<string>> {
  const rs = await client.query({
    query: `SELECT toString(id) AS sid FROM alerts WHERE id IN {ids:Array(UUID)}
            UNION ALL SELECT toString(hit_id) AS sid FROM alert_sightings WHERE hit_id IN {ids:Array(UUID)}`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ sid: string }>()).map((r) => r.sid));
}

/**
 * Stores a batch of hits: each one new to the store either raises an alert (returned in
 * `raised`, to notify) or becomes a sighting of an open alert of the same record (in `sighted`).
 */
export async function ingestHits(client: ClickHouseClient, hits: Alert[], policy: SuppressionPolicy, now = Date.now()): Promise<Ingested> {
  if (!hits.length) return { raised: [], sighted: [] };
  const unique = [...new Map(hits.map((a) => [a.id, a])).values()].map((a) =>
    isHistorical(a, policy) && !a.historical ? { ...a, historical: true } : a,
  );
  const have = await seen(
    client,
    unique.map((a) => a.id),
  );
  const fresh = unique.filter((a) => !have.has(a.id));
  if (!fresh.length) return { raised: [], sighted: [] };
  const windowOf = (category: string) => suppressionWindowMs(policy, category);
  const widest = Math.max(...fresh.map((a) => windowOf(a.record.category)));
  const times = fresh.map((a) => Date.parse(a.read.capturedAt));
  // Each step is a round trip on the alert's way to the operator's screen: the two lookups run together.
  const [open, heldUntil] = await Promise.all([
    widest > 0 ? openEncounters(client, fresh, Math.min(...times) - widest, Math.max(...times) + widest) : [],
    heldUntilOf(client, fresh),
  ]);
  const plan = planEncounters(fresh, open, windowOf);
  const raised = plan.flatMap((d) => (d.kind === 'raise' ? [d.alert] : []));
  await insertAlerts(client, raised, heldUntil, now);
  const historicalIds = new Set([...fresh.filter((a) => a.historical).map((a) => a.id)]);
  const rows = plan.map((d) => ({ alertId: d.kind === 'raise' ? d.alert.id : d.alertId, hit: d.alert }));
  await client.insert({
    table: 'alert_sightings',
    values: rows.map(({ alertId, hit }) => ({
      alert_id: alertId,
      hit_id: hit.id,
      read_id: hit.read.id,
      camera_id: hit.read.cameraId,
      captured_at: Date.parse(hit.read.capturedAt),
      raised_at: Date.parse(hit.raisedAt),
      plate: hit.read.plate,
      place: placeOf(hit) ?? '',
      held_until: heldUntil.get(hit.read.id) ?? 0,
    })),
    format: 'JSONEachRow',
  });
  const sighted = plan.flatMap((d) =>
    d.kind === 'sighting' ? [{ alertId: d.alertId, sighting: sightingOf(d.alert), historical: historicalIds.has(d.alert.id) }] : [],
  );
  return { raised, sighted };
}

/** How many sightings of each alert are listed with it, most recent first. */
export const TRAIL_LENGTH = 50;

/** Each alert's encounter and its latest sightings; an alert stored before sightings were kept has its own read as its one sighting. */
export async function encountersOf(
  client: ClickHouseClient,
  alerts: Alert[],
): Promise<Map<string, { encounter: AlertEncounter; sightings: AlertSighting[] }>> {
  const out = new Map<string, { encounter: AlertEncounter; sightings: AlertSighting[] }>();
  if (!alerts.length) return out;
  const rs = await client.query({
    query: `SELECT toString(alert_id) AS aid, count() AS hits,
                   arraySlice(arrayReverseSort(t -> t.1, groupArray((toUnixTimestamp64Milli(captured_at), toString(read_id), camera_id, plate, place))), 1, {n:UInt32}) AS trail,
                   min(toUnixTimestamp64Milli(captured_at)) AS first_ms
            FROM (SELECT * FROM alert_sightings FINAL WHERE alert_id IN {ids:Array(UUID)})
            GROUP BY alert_id`,
    query_params: { ids: alerts.map((a) => a.id), n: TRAIL_LENGTH },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{
    aid: string;
    hits: string | number;
    trail: [string | number, string, string, string, string][];
    first_ms: string | number;
  }>();
  const byId = new Map(rows.map((r) => [r.aid, r]));
  for (const a of alerts) {
    const r = byId.get(a.id);
    const sightings: AlertSighting[] = r?.trail.length
      ? r.trail.map(([ms, readId, cameraId, plate, place]) => ({
          readId,
          cameraId,
          seenAt: new Date(Number(ms)).toISOString(),
          plate,
          place: place || null,
        }))
      : [sightingOf(a)];
    const last = sightings[0]!;
    out.set(a.id, {
      encounter: {
        hits: r ? Number(r.hits) : 1,
        firstSeenAt: r ? new Date(Number(r.first_ms)).toISOString() : a.read.capturedAt,
        lastSeenAt: last.seenAt,
        lastCameraId: last.cameraId,
        lastPlace: last.place,
      },
      sightings,
    });
  }
  return out;
}
