/**
 * Every spec route the emulator has no hand-written handler for, derived from the registry's
 * generated operations: the request is checked against the operation's input schema (400 with each
 * problem), and the answer is a deterministic sample of the operation's output schema, with the
 * status the spec documents. Hand-written, stateful routes are registered first and win.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { specOperationData } from '../../spec-data.js';
import type { SpecOperationData } from '../../operations/spec-operation.js';
import { schemaIssues } from '../../schema.js';
import { sampleOf } from '../../schema-sample.js';

type Node = Record<string, unknown>;

function coerce(value: unknown, schema: unknown): unknown {
  if (typeof value !== 'string') return value;
  const node = (schema ?? {}) as Node;
  const types = Array.isArray(node['type']) ? (node['type'] as unknown[]) : [node['type']];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** The operation's flat input, rebuilt from the request's path, query and body. */
function inputOf(op: SpecOperationData, request: FastifyRequest): Node {
  const properties = (op.input['properties'] ?? {}) as Record<string, unknown>;
  const input: Node = {};
  for (const [key, value] of Object.entries((request.params ?? {}) as Node))
    input[key] = coerce(value, properties[key]);
  for (const [key, value] of Object.entries((request.query ?? {}) as Node))
    input[key] = coerce(value, properties[key]);
  if (op.wire.wholeBody !== undefined) {
    if (request.body !== undefined) input[op.wire.wholeBody] = request.body;
  } else if (typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body)) {
    for (const [key, value] of Object.entries(request.body as Node))
      if (op.wire.body?.includes(key) === true && input[key] === undefined) input[key] = value;
  }
  return input;
}

function routesOf(op: SpecOperationData): string[] {
  const path = op.path.replace(/\{([^}]+)\}/g, ':$1');
  if (op.connector === 'track') return [op.wire.fromOrigin === true ? path : `/api${path}`];
  return [`/v1${path}`, `/v1/api${path}`];
}

/**
 * Answers the user supplies for catalogue routes, by operation id (`app.list_campaigns` — a
 * `beta.` id means the same route): `createEmulator({ fixtures })`, `cioc emulator --fixtures`,
 * or `PUT /__emulator/fixtures`.
 */
export type Fixtures = Map<string, unknown>;

export function fixtureKey(id: string): string {
  return id.replace(/^beta\./, 'app.');
}

export function registerSpecRoutes(app: FastifyInstance, fixtures: Fixtures): number {
  let registered = 0;
  for (const op of [...specOperationData('track'), ...specOperationData('app')]) {
    for (const url of routesOf(op)) {
      if (app.hasRoute({ method: op.method, url })) continue;
      app.route({
        method: op.method,
        url,
        handler: async (request, reply) => {
          const issues = schemaIssues(op.input, inputOf(op, request));
          if (issues.length > 0) {
            return reply.code(400).send({
              meta: { errors: issues.map((i) => `${i.path.replace(/^\//, '') || 'input'} ${i.message}`) },
            });
          }
          if (op.successStatus === 204) return reply.code(204).send();
          const fixture = fixtures.get(fixtureKey(op.id));
          return reply.code(op.successStatus).send(fixture === undefined ? sampleOf(op.output) : fixture);
        },
      });
      registered += 1;
    }
  }
  return registered;
}
