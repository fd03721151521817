import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { StorageConfig } from '../contracts/index.ts';

/**
 * One ClickHouse client interface for both deployments. Embedded: chDB (the ClickHouse
 * engine in this process) plugged into @clickhouse/client through chdb/connection, so the
 * embedded and the remote store run the very same SQL through the very same client API.
 *
 * libchdb lets exactly one process open a data directory, so only the core service
 * (which also serves the API) calls this with an embedded configuration.
 */
export async function createClickHouseClient(storage: StorageConfig, dataDir: string): Promise<ClickHouseClient> {
  if (storage.kind === 'embedded') {
    const dir = path.resolve(storage.path ?? path.join(dataDir, 'clickhouse'));
    mkdirSync(dir, { recursive: true });
    // Loaded lazily: a remote deployment never needs the engine in memory.
    const { createChdbConnection } = await import('chdb/connection');
    return createClient({ connection: createChdbConnection({ path: dir }) as never });
  }
  const password = process.env.ALPR_CLICKHOUSE_PASSWORD ?? storage.password;
  const admin = createClient({ url: storage.url, username: storage.username, password });
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${storage.database}` });
  } finally {
    await admin.close();
  }
  return createClient({ url: storage.url, username: storage.username, password, database: storage.database });
}
