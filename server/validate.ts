import type { Context } from 'hono';
import type { z } from 'zod';

/** One shape for every rejected request: what was wrong, per parameter, never a stack trace. */
export function badRequest(c: Context, error: z.ZodError) {
  return c.json(
    {
      error: 'invalid request',
      problems: error.issues.map((i) => ({
        param: i.path.join('.') || '(request)',
        message: i.code === 'unrecognized_keys' ? `unknown parameter(s): ${i.keys.join(', ')}` : i.message,
      })),
    },
    400,
  );
}
