import { z } from 'zod';
import { VALIDATES, type Validates } from './validate.ts';

/** A route as Hono lists it in app.routes: every handler and middleware, one entry each. */
export interface ListedRoute {
  method: string;
  path: string;
  handler: unknown;
}

type JsonSchema = Record<string, unknown>;

/** The API's own version: it changes when a client would have to, not with each release. */
export const API_VERSION = '1';

/** The schema of what a client sends: transforms and defaults as the input side sees them. */
const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

const problemResponse = {
  description: 'Invalid input: what was wrong, per parameter.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/InvalidRequest' } } },
};

function parametersOf(path: string, checks: Validates[]) {
  const params: Record<string, unknown>[] = [];
  const pathSchema = checks.find((v) => v.target === 'param');
  const pathProps = (pathSchema ? jsonSchema(pathSchema.schema).properties : undefined) as Record<string, JsonSchema> | undefined;
  for (const [, name] of path.matchAll(/:(\w+)/g))
    params.push({ name, in: 'path', required: true, schema: pathProps?.[name!] ?? { type: 'string' } });
  const query = checks.find((v) => v.target === 'query');
  if (query) {
    const s = jsonSchema(query.schema);
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries((s.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      const { description, ...schema } = prop;
      // A default makes a parameter optional to the client, whatever the schema's output says.
      params.push({
        name,
        in: 'query',
        required: required.has(name) && !('default' in prop),
        ...(description ? { description } : {}),
        schema,
      });
    }
  }
  return params;
}

/**
 * The OpenAPI 3.1 document of an app, read off its own routes: each route's method and path,
 * and its parameters and body from the zod schemas its validators check (server/validate.ts),
 * so the document cannot drift from what the API accepts.
 */
export function openApiDocument(routes: readonly ListedRoute[], info: { publicRoutes?: ReadonlySet<string> } = {}) {
  const ops = new Map<string, { method: string; path: string; checks: Validates[] }>();
  for (const r of routes) {
    if (r.method === 'ALL' || !r.path.startsWith('/api/')) continue;
    const key = `${r.method} ${r.path}`;
    const op = ops.get(key) ?? { method: r.method, path: r.path, checks: [] };
    const v = (r.handler as { [VALIDATES]?: Validates })[VALIDATES];
    if (v) op.checks.push(v);
    ops.set(key, op);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, op] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
    const openPath = op.path.replace(/:(\w+)/g, '{$1}');
    const body = op.checks.find((v) => v.target === 'json');
    const parameters = parametersOf(op.path, op.checks);
    paths[openPath] ??= {};
    paths[openPath]![op.method.toLowerCase()] = {
      operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
      tags: [op.path.split('/')[2]],
      ...(info.publicRoutes?.has(key) ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body.schema) } } } } : {}),
      responses: {
        '200': { description: 'Success.' },
        ...(op.checks.length ? { '400': problemResponse } : {}),
        default: {
          description: 'An error: { error } with a message meant for the user.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ALPR appliance API',
      version: API_VERSION,
      description: 'Generated from the routes and their zod schemas (npm run openapi).',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { token: [] }],
    paths,
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'alpr_session',
          description: 'Signed-in session; state-changing requests also send x-csrf-token.',
        },
        token: { type: 'http', scheme: 'bearer', description: 'A service account API token.' },
      },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
        InvalidRequest: {
          type: 'object',
          properties: {
            error: { type: 'string', const: 'invalid request' },
            problems: {
              type: 'array',
              items: {
                type: 'object',
                properties: { param: { type: 'string' }, message: { type: 'string' } },
                required: ['param', 'message'],
              },
            },
          },
          required: ['error'],
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
