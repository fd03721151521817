import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../access/index.ts';
import { describedApp, generatedOpenApi, OPENAPI_FILE } from '../../scripts/openapi.ts';

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: {
    content: { 'application/json': { schema: { properties?: Record<string, unknown>; oneOf?: unknown[]; anyOf?: unknown[] } } };
  };
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

const app = describedApp();
const doc = async () => (await (await app.request('/api/openapi.json')).json()) as Doc;
const op = (d: Doc, method: string, path: string) => d.paths[path]?.[method] as Operation;

describe('the OpenAPI document', () => {
  it('is served without a session and describes every route of the app with its method', async () => {
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const d = (await res.json()) as Doc;
    expect(d.openapi).toMatch(/^3\.1\.\d+$/);
    const routes = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`));
    expect(routes.size).toBeGreaterThan(50);
    const described = Object.entries(d.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(new Set(described)).toEqual(routes);
    // Public routes say so; the rest need a session or a token.
    for (const key of PUBLIC_ROUTES) {
      const [m, p] = key.split(' ') as [string, string];
      expect(op(d, m.toLowerCase(), p).security, key).toEqual([]);
    }
    expect(op(d, 'get', '/api/reads').security).toBeUndefined();
  });

  it('takes parameters and bodies from the routes’ own schemas', async () => {
    const d = await doc();
    const search = op(d, 'get', '/api/reads').parameters!;
    const named = (n: string) => search.find((p) => p.name === n)!;
    expect(named('plate')).toMatchObject({
      in: 'query',
      required: false,
      description: 'Exact plate.',
      schema: { type: 'string', maxLength: 16 },
    });
    expect(named('state').schema.enum).toContain('FL');
    expect(named('order').schema).toMatchObject({ enum: ['newest', 'oldest'], default: 'newest' });
    expect(op(d, 'get', '/api/reads/{id}/image').parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ format: 'uuid' }) },
    ]);
    const hold = op(d, 'post', '/api/holds').requestBody!.content['application/json'].schema;
    expect(Object.keys(hold.properties!)).toEqual(['caseRef', 'readIds']);
    // The alert actions body is a union of each action's shape.
    const action = op(d, 'post', '/api/alerts/{id}/actions').requestBody!.content['application/json'].schema;
    expect((action.oneOf ?? action.anyOf)!.length).toBe(6);
    expect(op(d, 'post', '/api/hotlists/{source}/entries').parameters).toEqual([
      { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('is committed as generated (npm run openapi rewrites docs/openapi.json)', async () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(await generatedOpenApi());
  });
});
