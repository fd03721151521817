import { rmSync } from 'node:fs';
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
