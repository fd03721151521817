import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../contracts/index.ts';
import { classifyStoreError, StoreUnavailableError } from '../store/index.ts';
import { createApp } from './app.ts';
import { MetricsRegistry } from './metrics.ts';

/** An app whose one data route throws what it is given, as a store call would. */
function throwing(err: Error) {
  const route = new Hono().get('/boom', () => {
    throw err;
  });
  return createApp({
    client: {} as ClickHouseClient,
    health: async () => ({ status: 'ok' }) as never,
    metrics: new MetricsRegistry(),
    logger: silentLogger,
    dataRoutes: [route],
  });
}

describe('errors answer by class', () => {
  it('answers 503 to a store that is not there, and nothing of its message', async () => {
    const res = await throwing(new StoreUnavailableError('insert failed: connect ECONNREFUSED 10.0.0.5:8123')).request('/api/boom');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'store unavailable' });
  });

  it('answers 500 to anything else, whatever its message says', async () => {
    // The message names the store, but the class does not: a bug, not an outage.
    const res = await throwing(new Error('chdb: ECONNREFUSED in a message')).request('/api/boom');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
  });

  it('the store adapter gives an unreachable store its class, and leaves refused statements alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(classifyStoreError(refused)).toBeInstanceOf(StoreUnavailableError);
    expect((classifyStoreError(refused) as Error).cause).toBe(refused);
    expect(classifyStoreError(new Error('ChdbConnection is closed'))).toBeInstanceOf(StoreUnavailableError);
    const syntax = new Error('Syntax error: failed at position 8');
    expect(classifyStoreError(syntax)).toBe(syntax);
  });
});
