import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../contracts/index.ts';
import { createApp } from './app.ts';
import { MetricsRegistry } from './metrics.ts';
import { DASHBOARD_CSP } from './security.ts';

/** The app as core.ts builds it, with one data route that records whether it parsed a body. */
function appWith(opts: { https?: boolean; maxBodyBytes?: number } = {}) {
  const parsed: number[] = [];
  const probe = new Hono()
    .post('/probe', async (c) => {
      const body = await c.req.arrayBuffer();
      parsed.push(body.byteLength);
      return c.json({ bytes: body.byteLength });
    })
    .post('/hotlists', async (c) => {
      const body = await c.req.arrayBuffer();
      parsed.push(body.byteLength);
      return c.json({ bytes: body.byteLength });
    })
    .get('/session-data', (c) => c.json({ alerts: [] }))
    .get('/cached', (c) => c.json({ ok: true }, 200, { 'cache-control': 'public, max-age=600' }))
    .get('/report', (c) => c.html('<p>report</p>', 200, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }));
  const app = createApp({
    client: {} as ClickHouseClient,
    health: async () => ({ status: 'ok' }) as never,
    metrics: new MetricsRegistry(),
    logger: silentLogger,
    dataRoutes: [probe],
    dashboard: true,
    ...opts,
  });
  return { app, parsed };
}

/** A request body that arrives in chunks with no length, as a hostile client would send it. */
function chunked(totalBytes: number, chunk = 64 * 1024) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent >= totalBytes) return ctrl.close();
      const n = Math.min(chunk, totalBytes - sent);
      sent += n;
      ctrl.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
  return { stream, sent: () => sent };
}

describe('browser hardening headers', () => {
  it('sends a strict CSP, no framing, nosniff and no referrer on the dashboard and the API', async () => {
    const { app } = appWith();
    for (const path of ['/', '/live', '/api/health']) {
      const res = await app.request(path);
      expect(res.headers.get('content-security-policy'), path).toBe(DASHBOARD_CSP);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('marks every API answer no-store, even one a route meant to be cached, and error answers too', async () => {
    const { app } = appWith();
    for (const path of ['/api/session-data', '/api/cached', '/api/no-such-route']) {
      const res = await app.request(path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    // The dashboard's hashed assets may be cached; the index page is not an API answer.
    expect((await app.request('/')).headers.get('cache-control')).not.toBe('no-store');
  });

  it("keeps a report's own CSP but still refuses framing", async () => {
    const { app } = appWith();
    const csp = (await app.request('/api/report')).headers.get('content-security-policy');
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('sends HSTS only when the API is served over HTTPS', async () => {
    expect((await appWith().app.request('/api/health')).headers.get('strict-transport-security')).toBeNull();
    expect((await appWith({ https: true }).app.request('/api/health')).headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});

describe('request body limit', () => {
  it('refuses a body whose declared length is too large with 413, without reading it', async () => {
    const { app, parsed } = appWith({ maxBodyBytes: 1024 * 1024 });
    const big = chunked(16 * 1024 * 1024);
    const res = await app.request('/api/probe', {
      method: 'POST',
      body: big.stream,
      headers: { 'content-length': String(16 * 1024 * 1024) },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: expect.stringContaining('too large') });
    expect(parsed).toEqual([]);
    expect(big.sent()).toBeLessThanOrEqual(2 * 64 * 1024); // at most what the stream pre-pulls
  });

  it('stops reading a chunked body at the limit and answers 413', async () => {
    const { app, parsed } = appWith({ maxBodyBytes: 1024 * 1024 });
    const big = chunked(8 * 1024 * 1024);
    const res = await app.request('/api/probe', { method: 'POST', body: big.stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(parsed).toEqual([]);
    expect(big.sent()).toBeLessThan(2 * 1024 * 1024);
  });

  it('passes a chunked body under the limit on whole, with its length set', async () => {
    const { app, parsed } = appWith({ maxBodyBytes: 1024 * 1024 });
    const ok = chunked(300_000, 10_000);
    const res = await app.request('/api/probe', { method: 'POST', body: ok.stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 300_000 });
    expect(parsed).toEqual([300_000]);
  });

  it('lets a hotlist upload stream past the API limit (it has its own)', async () => {
    const { app, parsed } = appWith({ maxBodyBytes: 1024 });
    const file = chunked(200_000);
    const res = await app.request('/api/hotlists', { method: 'POST', body: file.stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(parsed).toEqual([200_000]);
  });
});
