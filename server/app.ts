import { Hono, type MiddlewareHandler } from 'hono';
import type { BlankEnv, Schema } from 'hono/types';
import type { ClickHouseClient } from '@clickhouse/client';
import { mapSchema, retentionSchema, tileOrigin, type Logger, type RetentionConfig } from '../contracts/index.ts';
import { StoreUnavailableError } from '../store/index.ts';
import { publicHealth, type HealthReport } from './health.ts';
import type { MetricsRegistry } from './metrics.ts';
import { dashboardRoutes } from './dashboard.ts';
import { readsRoutes } from './routes/reads.ts';
import { retentionRoutes, type ResolveOpenCase } from './routes/retention.ts';
import { CameraSeries, metricsSeriesRoutes } from './routes/metrics-series.ts';
import { mapRoutes, type MapRouteOptions } from './routes/map.ts';
import { openApiDocument, type ListedRoute, type OpenApiDocument } from './openapi.ts';
import { API_MAX_BODY_BYTES, apiBodyLimit, securityHeaders } from './security.ts';

/** Any part's router: each keeps its own environment (the access parts read the principal). */
export type AnyRouter = Hono<any, any, any>;
type SchemaOf<R> = R extends Hono<infer _E, infer S, infer _B> ? S : never;
/** The routers' schemas as one: an intersection, since Hono maps a schema's keys and a union's keys are only those all share. */
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
type MergedSchema<R> = UnionToIntersection<SchemaOf<R>> extends infer S extends Schema ? S : never;

/**
 * Other parts' routers mounted side by side, typed as the one router they make: the parts are
 * handed over as lists (they are assembled elsewhere), and this keeps every route's type in AppType.
 */
function mountAll<T extends readonly AnyRouter[]>(routers: T): Hono<BlankEnv, MergedSchema<T[number]>, '/'> {
  const merged = new Hono();
  for (const r of routers) merged.route('/', r);
  return merged as unknown as Hono<BlankEnv, MergedSchema<T[number]>, '/'>;
}

export interface AppOptions<Data extends readonly AnyRouter[] = AnyRouter[], Public extends readonly AnyRouter[] = AnyRouter[]> {
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
  publicRoutes?: Public;
  /** More routes under /api that reveal stored data: mounted behind dataGuard. */
  dataRoutes?: Data;
  /** Pipeline gauges sampled from the camera workers, for the dashboard's charts. */
  cameraSeries?: CameraSeries;
  /** Serve the built dashboard at / (off in API-only tests). */
  dashboard?: boolean;
  /** Clients reach the API over HTTPS (its own TLS or a TLS-terminating proxy): send HSTS. */
  https?: boolean;
  /** Routes answered without a session (access control's list): the OpenAPI document marks them. */
  publicRouteKeys?: ReadonlySet<string>;
  /** Largest body an /api route parses (hotlist uploads stream under their own limit). */
  maxBodyBytes?: number;
  /** The dashboard map's cameras and tile server (dashboard.map); no configured camera and no tiles when omitted. */
  map?: Omit<MapRouteOptions, 'client'>;
}

/**
 * What an unhandled error answers, by its class: the adapters give failures their class (the
 * store's client makes an unreachable store a StoreUnavailableError), never the message text.
 * The access routes answer their own AccessErrors (access/routes/util.ts).
 */
const ERROR_ANSWERS: { is: (err: Error) => boolean; status: 503; error: string }[] = [
  { is: (err) => err instanceof StoreUnavailableError, status: 503, error: 'store unavailable' },
];
export function answerTo(err: Error): { status: 500 | 503; error: string } {
  return ERROR_ANSWERS.find((a) => a.is(err)) ?? { status: 500, error: 'internal error' };
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

export function createApp<Data extends readonly AnyRouter[] = [], Public extends readonly AnyRouter[] = []>(
  opts: AppOptions<Data, Public>,
) {
  const retention = opts.retention ?? retentionSchema.parse({});
  const resolveOpenCase = opts.resolveOpenCase ?? (async () => null);
  const dataRoutes = new Hono()
    .use('*', opts.dataGuard ?? (async (_c, next) => next()))
    .route('/', mountAll(opts.dataRoutes ?? []))
    .route('/', readsRoutes({ client: opts.client, retention }))
    .route('/', retentionRoutes({ client: opts.client, retention, logger: opts.logger, resolveOpenCase }))
    .route('/', metricsSeriesRoutes({ client: opts.client, series: opts.cameraSeries ?? new CameraSeries() }))
    .route('/', mapRoutes({ client: opts.client, cameras: opts.map?.cameras ?? [], map: opts.map?.map ?? mapSchema.parse({}) }))
    // The full health report (services, cameras, deployments) and the Prometheus metrics (camera
    // ids, their state and read rates, services' restarts): behind the guard, for signed-in
    // principals and monitoring tokens (a Prometheus scrape sends the token as a bearer).
    .get('/health/report', async (c) => {
      const h = await opts.health();
      return c.json(h, h.status === 'down' ? 503 : 200);
    })
    .get('/metrics', (c) => c.text(opts.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  const described: { routes: readonly ListedRoute[]; document?: OpenApiDocument } = { routes: [] };
  // Chained so that AppType carries these routes for the dashboard's typed client.
  // The limit and the headers come first so that they cover every route, the guard's included.
  const app = new Hono()
    .use('*', securityHeaders({ https: opts.https, imageOrigins: opts.map?.map.tileUrl ? [tileOrigin(opts.map.map.tileUrl)] : [] }))
    .use('*', apiBodyLimit({ maxBytes: opts.maxBodyBytes ?? API_MAX_BODY_BYTES, exempt: streamsItsBody }))
    .route('/api', systemRoutes(opts))
    .route('/api', dataRoutes)
    .route('/api', mountAll(opts.publicRoutes ?? []))
    // The API's own description, read off the routes below once they are all mounted: public, it holds no data.
    .get('/api/openapi.json', (c) =>
      c.json((described.document ??= openApiDocument(described.routes, { publicRoutes: opts.publicRouteKeys }))),
    );
  described.routes = app.routes;
  if (opts.dashboard) app.route('/', dashboardRoutes());

  app.onError((err, c) => {
    opts.logger.error('request failed', { path: c.req.path, err });
    const { status, error } = answerTo(err);
    return c.json({ error }, status);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}
