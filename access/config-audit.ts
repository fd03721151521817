import type { ClickHouseClient } from '@clickhouse/client';
import type { AlprConfig } from '../contracts/index.ts';
import type { AuditLog } from './audit-log.ts';

/**
 * Configuration changes are audited (issue 7, point 4): the appliance reads its configuration
 * at start, so each start records the configuration in force (secrets removed) and names the
 * sections that differ from the previous start.
 */
export function redactConfig(config: AlprConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown> & {
    storage?: Record<string, unknown>;
    cameras?: (Record<string, unknown> & { source?: Record<string, unknown> })[];
  };
  if (copy.storage && 'password' in copy.storage) copy.storage.password = copy.storage.password ? '[set]' : '';
  // RTSP URLs (a camera's url, or its source's) may carry camera credentials.
  const redactUrl = (url: unknown) => (typeof url === 'string' ? url.replace(/\/\/[^@/]*@/, '//[credentials]@') : url);
  for (const cam of copy.cameras ?? []) {
    if ('url' in cam) cam.url = redactUrl(cam.url);
    if (cam.source && 'url' in cam.source) cam.source.url = redactUrl(cam.source.url);
  }
  return copy;
}

export function changedSections(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  if (!before) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export async function recordConfigLoaded(audit: AuditLog, config: AlprConfig, client: ClickHouseClient): Promise<void> {
  const now = redactConfig(config);
  const rs = await client.query({
    query: "SELECT query FROM audit_log WHERE action = 'config.loaded' ORDER BY seq DESC LIMIT 1",
    format: 'JSONEachRow',
  });
  const last = (await rs.json<{ query: string }>())[0];
  let before: Record<string, unknown> | null = null;
  try {
    before = last ? (JSON.parse(last.query) as Record<string, unknown>) : null;
  } catch {
    before = null;
  }
  const changed = changedSections(before, now);
  await audit.append({
    actor: 'system',
    action: 'config.loaded',
    query: now,
    outcome: 'ok',
    detail: !last
      ? 'first start'
      : !before
        ? 'previous configuration not comparable (clipped)'
        : changed.length
          ? `changed since the previous start: ${changed.join(', ')}`
          : 'unchanged',
  });
}
