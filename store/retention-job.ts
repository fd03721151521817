import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger, RetentionConfig } from '../contracts/index.ts';
import { mutateAndWait } from './mutations.ts';
import { EXPIRES_AT_SQL, ttlExpression } from './retention.ts';

/** Tables whose rows follow read retention; each carries captured_at and held_until. */
const RETAINED = ['reads', 'reads_by_plate', 'plate_images', 'vehicle_images', 'alerts', 'alert_events', 'alert_sightings'] as const;

/**
 * Brings each retained table's TTL in line with the agency's tactical period. The period is
 * in the TTL expression rather than stamped on each row, so shortening it purges reads that
 * are already stored too, as the law requires. `days` is a validated integer, never user text.
 */
export async function applyRetentionSettings(client: ClickHouseClient, retention: RetentionConfig, logger: Logger): Promise<void> {
  const days = retention.tacticalDays;
  const ttl = ttlExpression(days);
  for (const table of RETAINED) {
    const rs = await client.query({
      query: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
      query_params: { t: table },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ ddl: string }>();
    if (row?.ddl.includes(`toIntervalDay(${days})`)) continue;
    // Existing parts are brought in line by the retention run (MATERIALIZE TTL per partition),
    // not by rewriting every part of a years-deep table at start-up.
    await client.command({
      query: `ALTER TABLE ${table} MODIFY TTL ${ttl} DELETE`,
      clickhouse_settings: { materialize_ttl_after_modify: 0 },
    });
    logger.info('retention period applied', { table, tacticalDays: days });
  }
}

export interface RetentionRun {
  runAt: string;
  table: string;
  /** Expired rows this run found and had ClickHouse purge (background TTL merges purge too:
   * the report's per-day figures account for both). */
  purgedRows: number;
  oldestCapture: string | null;
  newestCapture: string | null;
  remainingExpired: number;
}

/**
 * One retention run: for each retained table, finds the partitions holding reads whose window
 * has ended (tactical period passed and no live case hold), has ClickHouse apply the TTL to
 * exactly those partitions, checks that nothing expired is left, and records what was purged
 * in retention_runs (the retention report). Background merges apply the same TTL eventually;
 * this makes the purge happen on schedule and leaves a record of it.
 */
export async function runRetention(client: ClickHouseClient, retention: RetentionConfig, logger: Logger): Promise<RetentionRun[]> {
  const days = retention.tacticalDays;
  const runs: RetentionRun[] = [];
  for (const table of RETAINED) {
    const expired = `captured_at < now() - toIntervalDay({days:UInt16}) AND ${EXPIRES_AT_SQL} <= now()`;
    const before = await client.query({
      query: `SELECT count() AS n, toString(min(captured_at)) AS oldest, toString(max(captured_at)) AS newest,
                     groupUniqArray(_partition_id) AS partitions
              FROM ${table} WHERE ${expired}`,
      query_params: { days },
      format: 'JSONEachRow',
    });
    const [stats] = await before.json<{ n: string; oldest: string; newest: string; partitions: string[] }>();
    const purged = Number(stats?.n ?? 0);
    for (const p of stats?.partitions ?? []) {
      // Unpartitioned tables ('all'): the plate index (one sorted run, migration 110) and the
      // small alert tables.
      if (p === 'all') {
        await mutateAndWait(client, table, `ALTER TABLE ${table} MATERIALIZE TTL`);
        continue;
      }
      // Reads by year, images by month.
      if (!/^\d{4}(\d{2})?$/.test(p)) throw new Error(`unexpected partition id ${p}`);
      await mutateAndWait(client, table, `ALTER TABLE ${table} MATERIALIZE TTL IN PARTITION ID '${p}'`);
    }
    const after = await client.query({
      query: `SELECT count() AS n FROM ${table} WHERE ${expired}`,
      query_params: { days },
      format: 'JSONEachRow',
    });
    const remaining = Number((await after.json<{ n: string }>())[0]?.n ?? 0);
    const run: RetentionRun = {
      runAt: new Date().toISOString(),
      table,
      purgedRows: purged - remaining,
      oldestCapture: purged ? toIso(stats!.oldest) : null,
      newestCapture: purged ? toIso(stats!.newest) : null,
      remainingExpired: remaining,
    };
    await client.insert({
      table: 'retention_runs',
      values: [
        {
          run_at: Date.parse(run.runAt),
          table,
          purged_rows: run.purgedRows,
          oldest_capture: run.oldestCapture ? Date.parse(run.oldestCapture) : null,
          newest_capture: run.newestCapture ? Date.parse(run.newestCapture) : null,
          remaining_expired: remaining,
          tactical_days: days,
          hold_max_years: retention.holdMaxYears,
        },
      ],
      format: 'JSONEachRow',
    });
    if (remaining > 0) logger.error('expired rows remain after a retention run', { table, remaining });
    else if (run.purgedRows > 0) logger.info('retention purge', { table, purged: run.purgedRows });
    runs.push(run);
  }
  return runs;
}

const toIso = (ch: string) => new Date(ch.replace(' ', 'T') + 'Z').toISOString();

/** The retention report: settings, the latest runs, and what is waiting to be purged. */
export async function retentionReport(client: ClickHouseClient, retention: RetentionConfig, limit = 100) {
  const rs = await client.query({
    query: `SELECT toString(run_at) AS run_at, table, purged_rows, toString(oldest_capture) AS oldest, toString(newest_capture) AS newest,
                   remaining_expired, tactical_days, hold_max_years
            FROM retention_runs ORDER BY run_at DESC LIMIT {limit:UInt32}`,
    query_params: { limit },
    format: 'JSONEachRow',
  });
  const runs = await rs.json<Record<string, string | number | null>>();
  const held = await client.query({
    query: 'SELECT count() AS n, toString(max(held_until)) AS until FROM reads WHERE held_until > now()',
    format: 'JSONEachRow',
  });
  const [h] = await held.json<{ n: string; until: string }>();
  // Per capture day whose window has ended: what was ingested, what is still stored (held
  // reads), hence what was purged — whichever of a run or a background merge removed it.
  const daysRs = await client.query({
    query: `SELECT toString(i.day) AS day, i.ingested, coalesce(s.stored, 0) AS stored
            FROM (SELECT day, sum(reads) AS ingested FROM reads_ingested_daily
                  WHERE day < today() - {days:UInt16} GROUP BY day ORDER BY day DESC LIMIT {limit:UInt32}) AS i
            LEFT JOIN (SELECT toDate(captured_at) AS day, uniqExact(id) AS stored FROM reads
                       WHERE captured_at < today() - {days:UInt16} GROUP BY day) AS s ON s.day = i.day
            ORDER BY i.day DESC`,
    query_params: { days: retention.tacticalDays, limit },
    format: 'JSONEachRow',
    clickhouse_settings: { join_use_nulls: 1 },
  });
  const days = (await daysRs.json<{ day: string; ingested: string; stored: string }>()).map((d) => ({
    captureDay: d.day,
    windowEnded: new Date(Date.parse(d.day) + (retention.tacticalDays + 1) * 86_400_000).toISOString(),
    ingested: Number(d.ingested),
    held: Number(d.stored),
    purged: Math.max(0, Number(d.ingested) - Number(d.stored)),
  }));
  return {
    settings: retention,
    days,
    heldReads: Number(h?.n ?? 0),
    latestHoldEnds: Number(h?.n ?? 0) ? toIso(h!.until) : null,
    runs: runs.map((r) => ({
      runAt: toIso(String(r.run_at)),
      table: r.table,
      purgedRows: Number(r.purged_rows),
      oldestCapture: r.oldest ? toIso(String(r.oldest)) : null,
      newestCapture: r.newest ? toIso(String(r.newest)) : null,
      remainingExpired: Number(r.remaining_expired),
      tacticalDays: Number(r.tactical_days),
      holdMaxYears: Number(r.hold_max_years),
    })),
  };
}
