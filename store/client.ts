import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import type { storageSchema } from '../contracts/index.ts';
import { StoreUnavailableError } from './errors.ts';

/**
 * One ClickHouse client interface for both deployments. Embedded: chDB (the ClickHouse
 * engine in this process) plugged into @clickhouse/client through chdb/connection, so the
 * embedded and the remote store run the very same SQL through the very same client API.
 *
 * libchdb lets exactly one process open a data directory, so only the core service
 * (which also serves the API) calls this with an embedded configuration.
 */
// Input type: the pinning budget is the core's business (appliance/core.ts), not the connection's.
export async function createClickHouseClient(storage: z.input<typeof storageSchema>, dataDir: string): Promise<ClickHouseClient> {
  if (storage.kind === 'embedded') {
    const dir = path.resolve(storage.path ?? path.join(dataDir, 'clickhouse'));
    mkdirSync(dir, { recursive: true });
    // Loaded lazily: a remote deployment never needs the engine in memory.
    const { createChdbConnection } = await import('chdb/connection');
    const connection = createChdbConnection({ path: dir });
    const client = classifyFailures(createClient({ connection: connection as never }));
    rawInserts.set(client, async ({ table, columns, format, body }) => {
      await connection.chdb.rawInsert({ table, columns, format, values: body }).catch(rethrowClassified);
    });
    return client;
  }
  const password = process.env.ALPR_CLICKHOUSE_PASSWORD ?? storage.password;
  const admin = createClient({ url: storage.url, username: storage.username, password });
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${storage.database}` });
  } finally {
    await admin.close();
  }
  return classifyFailures(createClient({ url: storage.url, username: storage.username, password, database: storage.database }));
}

/**
 * The failures that mean the store is not there, rather than a statement it refused: the
 * remote server unreachable or gone mid-request, the embedded engine closed or its data
 * directory held by another process. Only this adapter knows how each backend words them.
 */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|socket hang up|Timeout error|ChdbConnection is closed|Cannot lock/i;

export function classifyStoreError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof StoreUnavailableError) return err;
  const code = (err as { code?: unknown }).code;
  return UNREACHABLE.test(err.message) || (typeof code === 'string' && UNREACHABLE.test(code))
    ? new StoreUnavailableError(`store unavailable: ${err.message}`, err)
    : err;
}

const rethrowClassified = (err: unknown): never => {
  throw classifyStoreError(err);
};

/** Each statement's failure leaves the client as a StoreUnavailableError when the store is not there. */
function classifyFailures(client: ClickHouseClient): ClickHouseClient {
  const c = client as unknown as Record<'query' | 'insert' | 'command' | 'exec', (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['query', 'insert', 'command', 'exec'] as const) {
    const call = c[method].bind(client);
    c[method] = (...args) => call(...args).catch(rethrowClassified);
  }
  return client;
}

export interface RawInsert {
  table: string;
  columns: readonly string[];
  /** A line-per-row text format the caller has already written the rows in. */
  format: 'JSONCompactEachRow' | 'JSONEachRow';
  body: Buffer;
}

/** chDB's own insert of bytes, for the clients this module made on it. */
const rawInserts = new WeakMap<ClickHouseClient, (insert: RawInsert) => Promise<void>>();

/**
 * Inserts rows the caller has already encoded. The client's own insert takes row objects and
 * encodes them through a stream, and the chDB connection then joins that into one string with
 * the statement: on the store writer's path that is about a fifth of its main-thread time per read
 * (docs/benchmarks.md, Store). Here the bytes go as they are: to chDB without a copy (its parser
 * reads the buffer), to a remote server as the request body.
 */
export async function insertEncoded(client: ClickHouseClient, insert: RawInsert): Promise<void> {
  const raw = rawInserts.get(client);
  if (raw) return raw(insert);
  // The client's insert would encode a JSON-format stream's chunks as values; exec sends the
  // body as it is. Table and column names are the store's own constants, never user input.
  const { stream } = await client.exec({
    query: `INSERT INTO ${insert.table} (${insert.columns.join(', ')}) FORMAT ${insert.format}`,
    values: Readable.from([insert.body], { objectMode: false }),
  });
  for await (const _ of stream); // drain the (empty) response so the socket is reused
}
