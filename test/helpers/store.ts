import { readFileSync, rmSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../../contracts/index.ts';
import { createClickHouseClient, migrate } from '../../store/index.ts';
import { tempDir } from './nats.ts';

/**
 * A migrated embedded store (the real ClickHouse engine through chDB) in a temp dir.
 * libchdb opens one data directory per process: use one per test file.
 */
export async function startTestStore(): Promise<{ client: ClickHouseClient; dir: string; stop(): Promise<void> }> {
  const dir = tempDir('store');
  const client = await createClickHouseClient({ kind: 'embedded', path: dir }, dir);
  await migrate(client, silentLogger);
  return {
    client,
    dir,
    stop: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Memory a process holds locked (VmLck), in KiB: what the store's pin helper has pinned. */
export function lockedKiB(pid: number | string): number {
  return Number(/VmLck:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}
