import { hc } from 'hono/client';
import type { AppType } from '../../../server/app.ts';

/** The typed client: routes and payloads come from the Hono app's type, not from hand-written fetches. */
export const api = hc<AppType>(location.origin, { init: { credentials: 'same-origin' } });
