import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Findings of non-compliance and what was done about them (guidelines 7d). A finding with
 * the action "suspension" also suspends the user (routes/users.ts); both land in the audit log.
 */
export interface NoncomplianceRecord {
  id: string;
  username: string;
  at: string;
  recordedBy: string;
  finding: string;
  action: 'none' | 'warning' | 'retraining' | 'suspension';
}

export async function recordNoncompliance(
  client: ClickHouseClient,
  r: Omit<NoncomplianceRecord, 'at'>,
  now: Date,
): Promise<NoncomplianceRecord> {
  await client.insert({
    table: 'noncompliance',
    format: 'JSONEachRow',
    values: [{ id: r.id, username: r.username, at: now.getTime(), recorded_by: r.recordedBy, finding: r.finding, action: r.action }],
  });
  return { ...r, at: now.toISOString() };
}

export async function listNoncompliance(client: ClickHouseClient, username?: string): Promise<NoncomplianceRecord[]> {
  const rs = await client.query({
    query: `SELECT id, username, toUnixTimestamp64Milli(at) AS at, recorded_by, finding, action FROM noncompliance
            ${username ? 'WHERE username = {u:String}' : ''} ORDER BY at`,
    query_params: username ? { u: username } : {},
    format: 'JSONEachRow',
  });
  return (
    await rs.json<{
      id: string;
      username: string;
      at: string;
      recorded_by: string;
      finding: string;
      action: NoncomplianceRecord['action'];
    }>()
  ).map((r) => ({
    id: r.id,
    username: r.username,
    at: new Date(Number(r.at)).toISOString(),
    recordedBy: r.recorded_by,
    finding: r.finding,
    action: r.action,
  }));
}
