import type { ClickHouseClient } from '@clickhouse/client';
import type { RetentionConfig } from '../contracts/index.ts';
import { EXPIRES_AT_SQL } from './retention.ts';
import { mutateAndWait } from './mutations.ts';

/**
 * Case holds (guidelines 6e): a read tied to an open case is kept past its tactical window,
 * but never past `holdMaxYears` anniversary years from capture. The hold moves the row's
 * held_until, which the TTL honours; releasing the last hold on a read sets it back to 0 and
 * the TTL purges the read at the next run if its tactical window has passed.
 *
 * Every hold on a read has the same ceiling (it depends only on the capture time), so a read
 * held by several cases keeps that ceiling until the last of them releases it.
 */
export async function holdReads(
  client: ClickHouseClient,
  opts: { caseKey: string; readIds: string[]; by: string; retention: RetentionConfig },
): Promise<{ held: string[]; notFound: string[] }> {
  const { caseKey, readIds, by, retention } = opts;
  if (!readIds.length) return { held: [], notFound: [] };
  // Only reads still within their retention can be held: an expired read is gone in law even
  // before the purge has removed it.
  const rs = await client.query({
    query: `SELECT DISTINCT id, toString(toUnixTimestamp64Milli(captured_at)) AS captured_ms,
                   toString(toUnixTimestamp(addYears(toDateTime(captured_at), {years:UInt8}))) AS ceiling_s
            FROM reads
            WHERE id IN {ids:Array(UUID)}
              AND ${EXPIRES_AT_SQL} > now()`,
    query_params: { ids: readIds, days: retention.tacticalDays, years: retention.holdMaxYears },
    format: 'JSONEachRow',
  });
  const found = await rs.json<{ id: string; captured_ms: string; ceiling_s: string }>();
  const now = Date.now();
  if (found.length) {
    await client.insert({
      table: 'read_holds',
      values: found.map((r) => ({
        case_key: caseKey,
        read_id: r.id,
        version: now,
        captured_at: Number(r.captured_ms),
        held_until: Number(r.ceiling_s),
        held_by: by,
        held_at: now,
        released: false,
      })),
      format: 'JSONEachRow',
    });
    await setHeldUntil(
      client,
      found.map((r) => r.id),
      `addYears(toDateTime(captured_at), ${Number(retention.holdMaxYears)})`,
    );
  }
  const heldIds = new Set(found.map((r) => r.id));
  return { held: [...heldIds], notFound: readIds.filter((id) => !heldIds.has(id)) };
}

/** Releases every hold of a case (it closed); reads no other open case holds lose their hold. */
export async function releaseCaseHolds(client: ClickHouseClient, opts: { caseKey: string; by: string }): Promise<{ released: number }> {
  const active = await client.query({
    query: `SELECT read_id, toString(toUnixTimestamp64Milli(captured_at)) AS captured_ms, toString(toUnixTimestamp(held_until)) AS until_s,
                   held_by, toString(toUnixTimestamp64Milli(held_at)) AS held_ms
            FROM read_holds FINAL WHERE case_key = {c:String} AND NOT released`,
    query_params: { c: opts.caseKey },
    format: 'JSONEachRow',
  });
  const rows = await active.json<{ read_id: string; captured_ms: string; until_s: string; held_by: string; held_ms: string }>();
  if (!rows.length) return { released: 0 };
  const now = Date.now();
  await client.insert({
    table: 'read_holds',
    values: rows.map((r) => ({
      case_key: opts.caseKey,
      read_id: r.read_id,
      version: now,
      captured_at: Number(r.captured_ms),
      held_until: Number(r.until_s),
      held_by: r.held_by,
      held_at: Number(r.held_ms),
      released: true,
      released_by: opts.by,
      released_at: now,
    })),
    format: 'JSONEachRow',
  });
  const still = await client.query({
    query: 'SELECT DISTINCT read_id FROM read_holds FINAL WHERE read_id IN {ids:Array(UUID)} AND NOT released',
    query_params: { ids: rows.map((r) => r.read_id) },
    format: 'JSONEachRow',
  });
  const stillHeld = new Set((await still.json<{ read_id: string }>()).map((r) => r.read_id));
  const free = rows.map((r) => r.read_id).filter((id) => !stillHeld.has(id));
  if (free.length) await setHeldUntil(client, free, '0');
  return { released: rows.length };
}

/** The holds of a case, with their history. */
export async function caseHolds(client: ClickHouseClient, caseKey: string) {
  const rs = await client.query({
    query: `SELECT read_id, toString(held_until) AS held_until, held_by, toString(held_at) AS held_at, released, released_by
            FROM read_holds FINAL WHERE case_key = {c:String} ORDER BY held_at`,
    query_params: { c: caseKey },
    format: 'JSONEachRow',
  });
  return rs.json<{ read_id: string; held_until: string; held_by: string; held_at: string; released: boolean; released_by: string }>();
}

/**
 * Moves held_until on reads, their plate index entries, their images, their alerts and the alerts' timelines together,
 * each applied before the next starts: everything that quotes a read lives exactly as long.
 */
async function setHeldUntil(client: ClickHouseClient, ids: string[], expression: string): Promise<void> {
  // Dependents first: a mutation that ends a hold may purge the row it rewrites on the spot,
  // and the plate index and the alert timelines find their rows through reads and alerts.
  const where = {
    // The plate index carries the hold too, so that it is purged with the reads, not before.
    reads_by_plate: '(camera_id, captured_at) IN (SELECT camera_id, captured_at FROM reads WHERE id IN {ids:Array(UUID)})',
    alert_events: 'alert_id IN (SELECT id FROM alerts WHERE read_id IN {ids:Array(UUID)})',
    // A sighting quotes its own read, whichever alert it joined.
    alert_sightings: 'read_id IN {ids:Array(UUID)}',
    plate_images: 'read_id IN {ids:Array(UUID)}',
    vehicle_images: 'read_id IN {ids:Array(UUID)}',
    alerts: 'read_id IN {ids:Array(UUID)}',
    reads: 'id IN {ids:Array(UUID)}',
  };
  for (const [table, condition] of Object.entries(where)) {
    await mutateAndWait(client, table, `ALTER TABLE ${table} UPDATE held_until = ${expression} WHERE ${condition}`, { ids });
  }
}
