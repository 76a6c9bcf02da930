/** The OpenAPI 3.1 document, generated from the route table (no second description to keep in step). */
import type { TSchema } from '../json-schema.js';
import { VERSION } from '../version.js';
import type { RouteDef } from './route.js';

type Json = Record<string, unknown>;

export function openApiDocument(routes: readonly RouteDef[]): Json {
  const components: Record<string, unknown> = {};
  const plain = (schema: TSchema): unknown =>
    hoist(JSON.parse(JSON.stringify(schema)) as unknown, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const operation: Json = { summary: r.summary, tags: r.tags, operationId: operationId(r) };
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.schema.params],
      ['query', r.schema.querystring],
    ] as const) {
      const properties = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties ?? {};
      const required = new Set((schema as { required?: string[] } | undefined)?.required ?? []);
      for (const [name, s] of Object.entries(properties)) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: plain(s),
          ...(typeof s.description === 'string' ? { description: s.description } : {}),
        });
      }
    }
    if (parameters.length > 0) operation['parameters'] = parameters;
    const body = r.schema.body ?? r.schema.documentedBody;
    if (body !== undefined) {
      operation['requestBody'] = { required: true, content: { 'application/json': { schema: plain(body) } } };
    }
    const responses: Json = {};
    for (const [status, schema] of Object.entries(r.schema.response ?? {})) {
      responses[status] = {
        description: schema.description ?? statusText(Number(status)),
        content: { 'application/json': { schema: plain(schema) } },
      };
    }
    responses['default'] = {
      description: 'An error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    operation['responses'] = responses;
    if (r.auth !== false) operation['security'] = [{ bearer: [] }, { session: [] }];
    (paths[path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cioc server',
      version: VERSION,
      description:
        'Workflows of Customer.io connector steps: save, run and inspect them; triggers; authentications; the operation registry.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`cioc token create`).' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'cioc_session',
          description:
            "The console's session (POST /api/session); POST, PUT, PATCH and DELETE also need the X-CSRF-Token header.",
        },
      },
      schemas: { ...components, Error: ERROR_SCHEMA },
    },
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        issues: { type: 'array', items: { type: 'object' } },
        hint: { type: 'string' },
      },
    },
  },
};

/** Moves every schema with an `$id` into `components.schemas` and points its references there. */
function hoist(value: unknown, components: Record<string, unknown>): unknown {
  const ids = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null) {
      const id = (v as Json)['$id'];
      if (typeof id === 'string') ids.set(id, componentName(id));
      Object.values(v).forEach(collect);
    }
  };
  collect(value);
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v !== 'object' || v === null) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$id') continue;
      out[k] =
        k === '$ref' && typeof x === 'string' && ids.has(x)
          ? `#/components/schemas/${ids.get(x) ?? ''}`
          : rewrite(x);
    }
    const id = (v as Json)['$id'];
    if (typeof id === 'string') {
      components[componentName(id)] = out;
      return { $ref: `#/components/schemas/${componentName(id)}` };
    }
    return out;
  };
  return rewrite(value);
}

function componentName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function operationId(r: RouteDef): string {
  const words = r.url
    .split('/')
    .filter((p) => p !== '' && p !== 'api')
    .map((p) => (p.startsWith(':') ? `by_${p.slice(1)}` : p));
  return [r.method.toLowerCase(), ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

function statusText(status: number): string {
  return status === 200 ? 'OK' : status === 201 ? 'Created' : status === 202 ? 'Accepted' : String(status);
}
