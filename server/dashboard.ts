import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';

export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dashboard/dist');

/**
 * Serves the built dashboard (dashboard/dist) from the appliance's own server: one origin, so
 * session cookies and CSRF rules stay simple and no second web server runs on the box.
 */
export function dashboardRoutes(dist = DASHBOARD_DIST) {
  const app = new Hono();
  if (!existsSync(path.join(dist, 'index.html'))) {
    return app.get('/', (c) => c.text('The dashboard is not built: run scripts/setup.sh (or npm run build:dashboard).', 503));
  }
  const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const root = path.relative(process.cwd(), dist) || '.';
  return app
    .use('/assets/*', serveStatic({ root, onFound: (_p, c) => c.header('cache-control', 'public, max-age=31536000, immutable') }))
    .get('*', (c) => (c.req.path.startsWith('/api/') ? c.notFound() : c.html(index)));
}
