import { Hono, type MiddlewareHandler } from 'hono';
import type { ClickHouseClient } from '@clickhouse/client';
import { retentionSchema, type Logger, type RetentionConfig } from '../contracts/index.ts';
import { publicHealth, type HealthReport } from './health.ts';
import type { MetricsRegistry } from './metrics.ts';
import { dashboardRoutes } from './dashboard.ts';
import { readsRoutes } from './routes/reads.ts';
import { retentionRoutes, type ResolveOpenCase } from './routes/retention.ts';
import { CameraSeries, metricsSeriesRoutes } from './routes/metrics-series.ts';
import { API_MAX_BODY_BYTES, apiBodyLimit, securityHeaders } from './security.ts';

export interface AppOptions {
  client: ClickHouseClient;
  /** The agency's retention settings; the statutory defaults when omitted. */
  retention?: RetentionConfig;
  /** The case registry's answer to "is this an open case" (access control provides it);
   * without one no case is open, so no hold can be placed. */
  resolveOpenCase?: ResolveOpenCase;
  health: () => Promise<HealthReport>;
  metrics: MetricsRegistry;
  logger: Logger;
  /**
   * The single gate in front of every route that reveals stored data (reads, images and,
   * later, alerts, exports, the extract). Access control plugs in here; with no guard the
   * data routes are only as private as the interface the server binds (127.0.0.1 by default).
   */
  dataGuard?: MiddlewareHandler;
  /** More routes under /api that reveal no stored data (login, setup). */
  publicRoutes?: Hono<any, any, any>[];
  /** More routes under /api that reveal stored data: mounted behind dataGuard. */
  dataRoutes?: Hono<any, any, any>[];
  /** Pipeline gauges sampled from the camera workers, for the dashboard's charts. */
  cameraSeries?: CameraSeries;
  /** Serve the built dashboard at / (off in API-only tests). */
  dashboard?: boolean;
  /** Clients reach the API over HTTPS (its own TLS or a TLS-terminating proxy): send HSTS. */
  https?: boolean;
  /** Largest body an /api route parses (hotlist uploads stream under their own limit). */
  maxBodyBytes?: number;
}

/** Hotlist files stream into the import, bounded by hotlists.maxFileBytes, never parsed whole. */
const streamsItsBody = (method: string, path: string) => method === 'POST' && path === '/api/hotlists';

/** The one route anyone who can reach the port may call: liveness, the status only. */
function systemRoutes(opts: Pick<AppOptions, 'health'>) {
  return new Hono().get('/health', async (c) => {
    const h = await opts.health();
    return c.json(publicHealth(h), h.status === 'down' ? 503 : 200);
  });
}

export function createApp(opts: AppOptions) {
  const retention = opts.retention ?? retentionSchema.parse({});
  const resolveOpenCase = opts.resolveOpenCase ?? (async () => null);
  const data = new Hono();
  data.use('*', opts.dataGuard ?? (async (_c, next) => next()));
  for (const r of opts.dataRoutes ?? []) data.route('/', r);
  const dataRoutes = data
    .route('/', readsRoutes({ client: opts.client, retention }))
    .route('/', retentionRoutes({ client: opts.client, retention, logger: opts.logger, resolveOpenCase }))
    .route('/', metricsSeriesRoutes({ client: opts.client, series: opts.cameraSeries ?? new CameraSeries() }))
    // The full health report (services, cameras, deployments) and the Prometheus metrics (camera
    // ids, their state and read rates, services' restarts): behind the guard, for signed-in
    // principals and monitoring tokens (a Prometheus scrape sends the token as a bearer).
    .get('/health/report', async (c) => {
      const h = await opts.health();
      return c.json(h, h.status === 'down' ? 503 : 200);
    })
    .get('/metrics', (c) => c.text(opts.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  // Chained so that AppType carries these routes for the dashboard's typed client.
  // The limit and the headers come first so that they cover every route, the guard's included.
  const app = new Hono()
    .use('*', securityHeaders({ https: opts.https }))
    .use('*', apiBodyLimit({ maxBytes: opts.maxBodyBytes ?? API_MAX_BODY_BYTES, exempt: streamsItsBody }))
    .route('/api', systemRoutes(opts))
    .route('/api', dataRoutes);
  for (const r of opts.publicRoutes ?? []) app.route('/api', r);
  if (opts.dashboard) app.route('/', dashboardRoutes());

  app.onError((err, c) => {
    opts.logger.error('request failed', { path: c.req.path, err });
    const unavailable = err.name === 'StoreUnavailableError' || /ECONNREFUSED|chdb|Cannot lock/i.test(err.message);
    return c.json({ error: unavailable ? 'store unavailable' : 'internal error' }, unavailable ? 503 : 500);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}

export type AppType = ReturnType<typeof createApp>;
