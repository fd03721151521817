/**
 * Writes docs/openapi.json: the OpenAPI 3.1 document of every route the appliance serves,
 * generated from the routes and their zod schemas (npm run openapi). The routers are built on
 * stand-ins for the store and the services: describing them touches neither.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, silentLogger } from '../contracts/index.ts';
import { createAccess, PUBLIC_ROUTES } from '../access/index.ts';
import { alertRoutes } from '../alerts/routes.ts';
import { hotlistRoutes } from '../hotlist/routes.ts';
import { createApp, MetricsRegistry } from '../server/index.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** The app as the core assembles it, on stand-ins, for its route list. */
export function describedApp() {
  const config = configSchema.parse({});
  const client = {} as never;
  const access = createAccess({ client, access: config.access, retention: config.retention, logger: silentLogger });
  access.noise.stop();
  return createApp({
    client,
    health: async () => ({ status: 'ok' }) as never,
    metrics: new MetricsRegistry(),
    logger: silentLogger,
    dataGuard: access.guard,
    publicRoutes: access.publicRoutes,
    dataRoutes: [
      ...access.dataRoutes,
      hotlistRoutes({ client, hotlists: {} as never, logger: silentLogger }),
      alertRoutes({ client, alerts: {} as never, logger: silentLogger }),
    ],
    publicRouteKeys: PUBLIC_ROUTES,
  });
}

/** The document as served at /api/openapi.json, formatted as committed. */
export async function generatedOpenApi(): Promise<string> {
  const res = await describedApp().request('/api/openapi.json');
  return JSON.stringify(await res.json(), null, 2) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await generatedOpenApi());
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}
