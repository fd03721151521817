import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { Logger } from '../../contracts/index.ts';
import { errorBody } from '../guard.ts';
import { AccessError, InvalidInputError, RateLimitedError } from '../errors.ts';

/** Bodies of access routes are small JSON documents; anything bigger is hostile. */
export const smallBody = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'request body too large' }, 413) });

/**
 * smallBody for one router's own paths (under /api). The routers are mounted side by side at
 * /api, where a '*' middleware reaches every other route too: it refused hotlist uploads and hold
 * bodies over 64 KiB, and, on a body sent without content-length, re-wrapped a stream the guard
 * had already read for the audit log (a 500 on POST /api/holds, found by fuzzing).
 */
export function smallBodyOn(...prefixes: string[]): MiddlewareHandler {
  return async (c, next) => (prefixes.some((p) => c.req.path === `/api${p}` || c.req.path.startsWith(`/api${p}/`)) ? smallBody(c, next) : next());
}

/** Parses and validates a JSON body; a bad one is a 400 naming each problem, never a stack trace. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new InvalidInputError('the request body must be a JSON object');
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new InvalidInputError(
      'invalid request',
      r.error.issues.map((i) => ({
        param: i.path.join('.') || '(body)',
        message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
      })),
    );
  }
  return r.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) {
    throw new InvalidInputError(
      'invalid request',
      r.error.issues.map((i) => ({ param: i.path.join('.') || '(query)', message: i.code === 'unrecognized_keys' ? `unknown parameter(s): ${i.keys.join(', ')}` : i.message })),
    );
  }
  return r.data;
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
