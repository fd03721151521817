import type { ClickHouseClient } from '@clickhouse/client';
import { StoreUnavailableError } from './errors.ts';

export interface MutationWait {
  /** How often system.mutations is asked whether the mutation is done. */
  pollMs?: number;
  /** Longest wait before the caller is told the mutation has not finished (it goes on in the background). */
  timeoutMs?: number;
}

/**
 * Runs a mutation (`ALTER TABLE … UPDATE`, `… MATERIALIZE TTL`) and waits until ClickHouse has
 * applied it, without holding the connection meanwhile. The embedded store's connection runs one
 * statement at a time, so a synchronous mutation (`mutations_sync = 2`) would keep every search and
 * every insert of the store writer waiting for as long as it rewrote parts (seconds for a year of
 * the plate index). The
 * mutation runs in ClickHouse's background pool; polls of system.mutations take milliseconds and
 * let other statements through between them.
 */
export async function mutateAndWait(
  client: ClickHouseClient,
  table: string,
  query: string,
  params: Record<string, unknown> = {},
  { pollMs = 100, timeoutMs = 600_000 }: MutationWait = {},
): Promise<void> {
  await client.command({ query, query_params: params, clickhouse_settings: { mutations_sync: '0' } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rs = await client.query({
      query: `SELECT count() AS pending, anyIf(latest_fail_reason, latest_fail_reason != '') AS reason
              FROM system.mutations WHERE database = currentDatabase() AND table = {t:String} AND NOT is_done`,
      query_params: { t: table },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ pending: string; reason: string }>();
    if (Number(row?.pending ?? 0) === 0) return;
    // ClickHouse retries a failing mutation by itself; the caller learns why it has not landed.
    if (row?.reason) throw new StoreUnavailableError(`mutation of ${table} is failing: ${row.reason}`);
    if (Date.now() > deadline)
      throw new StoreUnavailableError(`mutation of ${table} has not finished after ${timeoutMs} ms; it goes on in the background`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
