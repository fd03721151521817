import { vi } from 'vitest';

/** One request the page made, as the appliance would have received it. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

/** An answer: a status (200 when absent) and a JSON body, or a Blob. */
export type Answer = { status?: number; json?: unknown; blob?: Blob };
export type Handler = (call: Call) => Answer | Promise<Answer>;

/**
 * Answers the dashboard's fetches from a table of routes ("GET /api/reads"), the way the
 * appliance would: the state classes run their real client code (the typed Hono clients,
 * headers, error handling) and the test reads back each request they made. A route not in the
 * table answers 404, as the API does.
 */
export function fakeApi(routes: Record<string, Handler | Answer>) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: kept as text */
    }
    const call: Call = { method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body };
    calls.push(call);
    const route = routes[`${req.method} ${url.pathname}`];
    const a: Answer = typeof route === 'function' ? await route(call) : (route ?? { status: 404, json: { error: 'not found' } });
    if (a.blob) return new Response(a.blob, { status: a.status ?? 200 });
    return new Response(JSON.stringify(a.json ?? {}), { status: a.status ?? 200, headers: { 'content-type': 'application/json' } });
  });
  /** The latest request to a path (of one method, when given). */
  const last = (path: string, method?: string) => calls.filter((c) => c.path === path && (!method || c.method === method)).at(-1);
  return { calls, routes, last };
}
