/**
 * Property-based fuzzing of the operations: random and malformed inputs for every seed operation
 * and a sample of the generated ones. Whatever the input, the outcome is a `ValidationError`, or a
 * request whose URL is inside the connector's base URL, whose headers can be sent and whose
 * printable form holds no credential — never anything else. Raw requests are also sent, to a
 * loopback sink standing in for every connector, which checks what arrives.
 *
 * `npm test` runs a few hundred inputs per operation; `npm run fuzz` runs many more
 * (`FUZZ_RUNS=<n>` sets the number per operation either way).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, encodeValid, type Client } from '../src/client.js';
import { ValidationError } from '../src/errors.js';
import { sendableHeaderIssues } from '../src/http-fields.js';
import { listOperations, requireOperation } from '../src/operations/registry.js';
import type { AnyOperation } from '../src/operations/types.js';
import type { ConnectorId } from '../src/regions.js';

const RUNS = Number(
  process.env['FUZZ_RUNS'] ?? (process.env['npm_lifecycle_event'] === 'fuzz' ? 20_000 : 120),
);
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const API_KEY = 'fuzz-secret-key-0123456789';
const SITE_ID = 'fuzz-site';
const BASE_PATH: Record<ConnectorId, string> = { track: '/api', app: '/v1', beta: '/v1/api' };

const SEED_OPERATIONS = [
  'track.create_or_update_customer',
  'track.delete_customer',
  'track.track_custom_event',
  'track.send_entity',
  'track.send_batch',
  'track.raw_http_request',
  'app.send_transactional_email',
  'app.trigger_broadcast',
  'app.raw_http_request',
  'beta.raw_http_request',
];

/** Every 12th generated operation of each connector: a fixed, varied sample. */
const SAMPLED = (['track', 'app', 'beta'] as const).flatMap((connector) =>
  listOperations(connector)
    .filter((op) => !SEED_OPERATIONS.includes(op.id))
    .filter((_op, i) => i % 12 === 0)
    .map((op) => op.id),
);

// ---------------------------------------------------------------- the sink
let sink: Server;
let origin = '';
const arrived: string[] = [];
const clients = new Map<ConnectorId, Client>();

beforeAll(async () => {
  sink = createServer((req, res) => {
    arrived.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  for (const connector of ['track', 'app', 'beta'] as const) {
    clients.set(
      connector,
      createClient({
        connector,
        baseUrl: `${origin}${BASE_PATH[connector]}`,
        credentials: { siteId: SITE_ID, apiKey: API_KEY },
        retry: false,
        rateLimits: false,
        timeoutMs: 5_000,
        connections: 4,
      }),
    );
  }
});
afterAll(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  sink.closeAllConnections();
  await new Promise((resolve) => sink.close(resolve));
});

// ---------------------------------------------------------------- inputs
const TRICKS = [
  '',
  '.',
  '..',
  '../..',
  '/',
  '//evil.example',
  '%2e%2e',
  '%2e%2e%2f',
  '..;',
  '..%00',
  '..%20',
  '%00',
  '%0d%0a',
  '\r\nX-Injected: 1',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'http://evil.example/',
  'https:evil',
  '\\evil',
  '?x=1',
  '#frag',
  '@evil.example',
  ':80',
  '~',
  '%',
  '%zz',
  ' ',
  '\t',
  '\u000b',
  '\u007f',
  '__proto__',
  'constructor',
];
const trick = fc.constantFrom(...TRICKS);
const nastyString = fc.oneof(
  trick,
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.oneof(trick, fc.string({ maxLength: 3 })), { maxLength: 6 }).map((parts) => parts.join('')),
);
const deep = fc.integer({ min: 60, max: 3_000 }).map((depth) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
});
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  deep,
  fc.anything({ maxDepth: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  fc.array(nastyString, { maxLength: 3 }),
);

function propertyNames(operation: AnyOperation): string[] {
  const properties = (operation.input as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.keys(properties);
}

type Path = readonly (string | number)[];

/** Paths to the string and number leaves of an example, and to its objects. */
function pathsOf(
  value: unknown,
  path: Path = [],
  out: { leaves: Path[]; objects: Path[] } = { leaves: [], objects: [] },
) {
  if (typeof value === 'string' || typeof value === 'number') out.leaves.push(path);
  else if (Array.isArray(value)) value.forEach((v: unknown, i) => pathsOf(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null) {
    out.objects.push(path);
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  }
  return out;
}

/** A copy of `value` with `change` applied at `path` (`change` gets the old value). */
function changedAt(value: unknown, path: Path, change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(value);
  const [head, ...rest] = path;
  if (Array.isArray(value))
    return value.map((v: unknown, i) => (i === head ? changedAt(v, rest, change) : v));
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const key = String(head);
  Object.defineProperty(copy, key, {
    value: changedAt(copy[key], rest, change),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/**
 * Near-valid inputs: an example with one or two of its string leaves replaced by tricky strings
 * (numbers by other numbers), or with a tricky key added to one of its objects.
 */
function mutatedExample(example: unknown): fc.Arbitrary<unknown> {
  const { leaves, objects } = pathsOf(example);
  const changes: fc.Arbitrary<(input: unknown) => unknown>[] = [];
  if (leaves.length > 0)
    changes.push(
      fc.tuple(fc.constantFrom(...leaves), nastyString, fc.oneof(fc.integer(), fc.double())).map(
        ([path, text, number]) =>
          (input: unknown) =>
            changedAt(input, path, (old) => (typeof old === 'number' ? number : text)),
      ),
    );
  if (objects.length > 0)
    changes.push(
      fc.tuple(fc.constantFrom(...objects), nastyString, nastyValue).map(
        ([path, key, value]) =>
          (input: unknown) =>
            changedAt(input, path, (old) => {
              const copy: Record<string, unknown> = { ...(old as Record<string, unknown>) };
              Object.defineProperty(copy, key, {
                value,
                enumerable: true,
                writable: true,
                configurable: true,
              });
              return copy;
            }),
      ),
    );
  if (changes.length === 0) return fc.constant(example);
  return fc
    .array(fc.oneof(...changes), { minLength: 1, maxLength: 2 })
    .map((list) => list.reduce((input, change) => change(input), example));
}

/** Inputs for an operation: anything at all, fields at random, or near-valid examples. */
function inputsFor(operation: AnyOperation): fc.Arbitrary<unknown> {
  const names = propertyNames(operation);
  const examples = operation.examples.map((e) => e.input);
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 },
  ];
  if (names.length > 0) {
    arbitraries.push({
      arbitrary: fc.dictionary(fc.constantFrom(...names), nastyValue, { maxKeys: names.length }),
      weight: 1,
    });
  }
  if (examples.length > 0) {
    arbitraries.push({ arbitrary: fc.constantFrom(...examples).chain(mutatedExample), weight: 6 });
  }
  if (operation.id.endsWith('.raw_http_request')) arbitraries.push({ arbitrary: rawInput, weight: 8 });
  return fc.oneof(...arbitraries);
}

const segment = fc.oneof(
  {
    arbitrary: fc.constantFrom('v1', 'customers', '42', 'a b', 'ada@example.com', 'x..y', '.well', ';p=1'),
    weight: 4,
  },
  { arbitrary: trick, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }), weight: 1 },
);
const headerName = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'X-Trace',
      'Keep-Alive',
      'Expect',
      'TE',
      'X-HTTP-Method-Override',
      'Forwarded',
      'Content-Type',
      'Host',
    ),
    weight: 2,
  },
  { arbitrary: nastyString, weight: 1 },
);
const headerValue = fc.oneof(
  { arbitrary: fc.string({ maxLength: 16 }), weight: 4 },
  { arbitrary: nastyString, weight: 1 },
);
const rawInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      method: fc.constantFrom('GET', 'DELETE', 'PUT'),
      endpoint: fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      query_parameters: fc.dictionary(
        fc.oneof(fc.string({ maxLength: 6 }), nastyString),
        fc.oneof(nastyString, fc.integer(), fc.array(nastyString, { maxLength: 2 })),
        { maxKeys: 3 },
      ),
      headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
    },
    { requiredKeys: ['method', 'endpoint'] },
  ),
  fc.record(
    {
      method: fc.constantFrom('POST', 'PATCH', 'PUT'),
      endpoint: fc.oneof(
        nastyString,
        fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
      ),
      headers: fc.dictionary(headerName, headerValue, { maxKeys: 2 }),
      body_type: fc.constant('json'),
      body: nastyValue,
    },
    { requiredKeys: ['method', 'endpoint', 'body_type', 'body'] },
  ),
  fc.record({
    method: fc.constant('POST'),
    endpoint: fc.constant('/x'),
    body_type: fc.constant('raw'),
    body: nastyString,
    content_type: fc.oneof(fc.constant('text/plain'), nastyString),
  }),
  fc.record({
    method: fc.constant('POST'),
    endpoint: fc.constant('/x'),
    body_type: fc.constant('form_urlencoded'),
    body: fc.dictionary(nastyString, fc.oneof(nastyString, fc.integer(), fc.boolean()), { maxKeys: 3 }),
  }),
);

// ---------------------------------------------------------------- the property
function checkPrepared(client: Client, operation: AnyOperation, input: unknown): boolean {
  let prepared;
  try {
    prepared = client.prepare(operation.id, input);
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
  const url = new URL(prepared.request.url);
  const base = new URL(client.baseUrl);
  expect(url.origin).toBe(base.origin);
  expect(prepared.request.url).not.toMatch(/[\s#]/);
  const fromOrigin = encodeValid(operation, input).fromOrigin === true;
  if (!fromOrigin) {
    const basePath = base.pathname.replace(/\/+$/, '');
    expect(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`)).toBe(true);
  }
  expect(url.pathname.split('/')).not.toContain('..');
  expect(sendableHeaderIssues(prepared.request.headers)).toEqual([]);
  expect(JSON.stringify(prepared.printable)).not.toContain(API_KEY);
  return true;
}

describe.each([...SEED_OPERATIONS, ...SAMPLED])('fuzzing %s', (id) => {
  it('is a ValidationError or a request inside the base URL, never anything else', async () => {
    const operation = requireOperation(id);
    const client = clients.get(operation.connector);
    if (client === undefined) throw new Error('no client');
    const raw = id.endsWith('.raw_http_request');
    await fc.assert(
      fc.asyncProperty(inputsFor(operation), async (input) => {
        const prepared = checkPrepared(client, operation, input);
        if (!raw || !prepared) return;
        // Sent for real, to the loopback sink: it must arrive under the base path.
        arrived.length = 0;
        await client.runUntyped(operation.id, input);
        expect(arrived).toHaveLength(1);
        const path = arrived[0] ?? '';
        expect(
          path === BASE_PATH[operation.connector] ||
            path.startsWith(`${BASE_PATH[operation.connector]}/`) ||
            path.startsWith(`${BASE_PATH[operation.connector]}?`),
        ).toBe(true);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });
});

it('samples generated operations of every connector', () => {
  expect(SAMPLED.some((id) => id.startsWith('track.'))).toBe(true);
  expect(SAMPLED.some((id) => id.startsWith('app.'))).toBe(true);
  expect(SAMPLED.some((id) => id.startsWith('beta.'))).toBe(true);
});
