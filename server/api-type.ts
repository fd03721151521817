import type { AccessDataRoutes, AccessPublicRoutes } from '../access/index.ts';
import type { alertRoutes } from '../alerts/index.ts';
import type { hotlistRoutes } from '../hotlist/index.ts';
import type { createApp } from './app.ts';

/**
 * The whole API as the appliance assembles it (appliance/core.ts): the server's own routes, the
 * access routes and the hotlist and alert routes behind the guard. Types only, so the server
 * loads none of those parts; the dashboard's client (hc<AppType>) is checked against it.
 */
export type AppType = ReturnType<
  typeof createApp<[...AccessDataRoutes, ReturnType<typeof hotlistRoutes>, ReturnType<typeof alertRoutes>], AccessPublicRoutes>
>;
