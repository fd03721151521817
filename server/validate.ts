import type { Context, Env, MiddlewareHandler } from 'hono';
import { z } from 'zod';

/** Where a route's input comes from: the JSON body, the query string or the path. */
export type InputTarget = 'json' | 'query' | 'param';

export interface Problem {
  param: string;
  message: string;
}

/** What a request as a whole got wrong is named by where it came from. */
const WHOLE: Record<InputTarget, string> = { json: '(body)', query: '(request)', param: '(request)' };
const UNKNOWN: Record<InputTarget, string> = { json: 'unknown field(s)', query: 'unknown parameter(s)', param: 'unknown parameter(s)' };

export function problemsOf(error: z.ZodError, target: InputTarget = 'query'): Problem[] {
  return error.issues.map((i) => ({
    param: i.path.join('.') || WHOLE[target],
    message: i.code === 'unrecognized_keys' ? `${UNKNOWN[target]}: ${i.keys.join(', ')}` : i.message,
  }));
}

/** One shape for every rejected request: what was wrong, per parameter, never a stack trace. */
export function badRequest(c: Context, problems: Problem[]) {
  return c.json({ error: 'invalid request', problems }, 400);
}

/** The schema a validator checks, kept on the middleware so that the OpenAPI document is read off the app's own routes. */
export const VALIDATES = Symbol.for('alpr.validates');
export interface Validates {
  target: InputTarget;
  schema: z.ZodType;
}

type Validated<T extends InputTarget, S extends z.ZodType, E extends Env> = MiddlewareHandler<
  E,
  string,
  { in: { [K in T]: z.input<S> }; out: { [K in T]: z.output<S> } }
>;

/**
 * The one way a route validates its input: a zod schema checked before the handler, which reads
 * the result with c.req.valid(target); its type flows into AppType and the dashboard's client.
 * The body is parsed whatever its content type (clients that send none are still answered by
 * the schema), and a body that is not JSON is a 400 like any other bad input.
 */
export function valid<T extends InputTarget, S extends z.ZodType, E extends Env = any>(target: T, schema: S): Validated<T, S, E> {
  const check: MiddlewareHandler = async (c, next) => {
    let value: unknown;
    if (target === 'json') {
      try {
        value = await c.req.json();
      } catch {
        return c.json({ error: 'the request body must be a JSON object' }, 400);
      }
    } else value = target === 'query' ? c.req.query() : c.req.param();
    const r = await schema.safeParseAsync(value);
    if (!r.success) return badRequest(c, problemsOf(r.error, target));
    c.req.addValidatedData(target, r.data as never);
    await next();
  };
  return Object.assign(check, { [VALIDATES]: { target, schema } satisfies Validates }) as unknown as Validated<T, S, E>;
}

/** Free text of a form field: trimmed, not empty, at most `max` characters, no control characters. */
export const textField = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters');
