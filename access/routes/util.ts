import type { ErrorHandler, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../../contracts/index.ts';
import { errorBody } from '../guard.ts';
import { AccessError, RateLimitedError } from '../errors.ts';

/** Bodies of access routes are small JSON documents; anything bigger is hostile. */
export const smallBody = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'request body too large' }, 413) });

/**
 * smallBody for one router's own paths (under /api). The routers are mounted side by side at
 * /api, where a '*' middleware reaches every other route too: it would refuse hotlist uploads and
 * hold bodies over 64 KiB, and, on a body sent without content-length, re-wrap a stream the guard
 * has already read for the audit log (a 500 on POST /api/holds).
 */
export function smallBodyOn(...prefixes: string[]): MiddlewareHandler {
  return async (c, next) =>
    prefixes.some((p) => c.req.path === `/api${p}` || c.req.path.startsWith(`/api${p}/`)) ? smallBody(c, next) : next();
}

/** Access errors become their status and message; anything else a bare 500, logged here. */
export function accessErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof AccessError) {
      if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json(errorBody(err), err.status);
    }
    logger.error('access route failed', { path: c.req.path, err });
    return c.json({ error: 'internal error' }, 500);
  };
}

/** HTML-escapes text for the printable report pages. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
