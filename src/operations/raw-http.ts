/**
 * "Raw HTTP request (advanced)": any method and endpoint suffix under a connector's base URL, with
 * the connector's auth and region injected. One definition per connector, built from one factory.
 */
import { Type, type Static } from '../json-schema.js';
import type { ValidationIssue } from '../errors.js';
import { redactHeaders, type Redactor } from '../redact.js';
import { ValidationError } from '../errors.js';
import type { ConnectorId } from '../regions.js';
import { defineOperation } from './define.js';
import { checkEndpoint } from './endpoint-guard.js';
import { HTTP_TOKEN_PATTERN, headerNameProblem, headerValueProblem } from '../http-fields.js';
import type { QueryScalar, QueryValue, RateBucket, WireBody, WireRequest, WireResponse } from './types.js';
import { wireRequest } from './wire.js';

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const RawHttpInput = Type.Object(
  {
    method: Type.Union(
      [
        Type.Literal('GET'),
        Type.Literal('POST'),
        Type.Literal('PUT'),
        Type.Literal('PATCH'),
        Type.Literal('DELETE'),
      ],
      { description: 'The HTTP method.' },
    ),
    endpoint: Type.String({
      minLength: 1,
      description:
        'The path after the base URL, starting with "/", e.g. `/campaigns/8/triggers/1`. It cannot leave the base URL: absolute URLs, `//host`, backslashes and `.`/`..` segments are refused.',
    }),
    query_parameters: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Union([Scalar, Type.Array(Scalar)]), {
        description: 'Query parameters; an array repeats the parameter.',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: HTTP_TOKEN_PATTERN }), Type.String(), {
        additionalProperties: false,
        description:
          'Extra request headers: names are HTTP tokens, values visible ASCII (with spaces and tabs inside). `Authorization`, `Host`, framing and hop-by-hop headers, proxy headers and method or host overrides cannot be set.',
      }),
    ),
    body_type: Type.Optional(
      Type.Union(
        [Type.Literal('none'), Type.Literal('json'), Type.Literal('raw'), Type.Literal('form_urlencoded')],
        {
          description:
            'How `body` is sent: `json` (the default when there is a body), `raw` (a string), `form_urlencoded`, or `none` (the default without a body).',
        },
      ),
    ),
    body: Type.Optional(
      Type.Unknown({
        description:
          'The body: any JSON value for `json`, a string for `raw`, an object for `form_urlencoded`.',
      }),
    ),
    content_type: Type.Optional(
      Type.String({ minLength: 1, description: 'The Content-Type of a `raw` body (default `text/plain`).' }),
    ),
  },
  { additionalProperties: false },
);
export type RawHttpInput = Static<typeof RawHttpInput>;

export const RawHttpOutput = Type.Object(
  {
    status: Type.Integer({ description: 'The HTTP status.' }),
    headers: Type.Record(Type.String(), Type.String(), { description: 'Response headers (lower-cased).' }),
    body: Type.Unknown({
      description: 'The response body: parsed when JSON, text otherwise, null when empty.',
    }),
  },
  { additionalProperties: false },
);

/**
 * Headers a raw request may not set, beyond what the transport owns (`http-fields.ts`): the
 * credentials, and headers that make a server or a proxy on the way route or interpret the
 * request differently from what it is (another host, another method: a retried GET must never
 * become a POST on a server that honours `X-HTTP-Method-Override`).
 */
const RAW_FORBIDDEN: ReadonlyMap<string, string> = new Map([
  ['authorization', 'cannot be set: the connector injects the authentication'],
  ['proxy-authorization', 'cannot be set: credentials are only ever the connector’s own'],
  ...[
    'forwarded',
    'x-forwarded-host',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-port',
    'x-forwarded-prefix',
    'x-forwarded-server',
    'x-original-url',
    'x-rewrite-url',
    'x-original-host',
  ].map((name): [string, string] => [name, 'cannot be set: it could make a server see another host or path']),
  ...['x-http-method-override', 'x-http-method', 'x-method-override'].map((name): [string, string] => [
    name,
    'cannot be set: it could make a server run another method than the one sent (set `method` instead)',
  ]),
]);

/** `body_type` as given; without one, a body is JSON (what nearly every endpoint takes) and no body is none. */
function bodyTypeOf(input: RawHttpInput): NonNullable<RawHttpInput['body_type']> {
  return input.body_type ?? (input.body === undefined ? 'none' : 'json');
}

/** The path each connector's base URL already ends with (customerio-api.md §1). */
const BASE_PATH: Record<ConnectorId, string> = { track: '/api', app: '/v1', beta: '/v1/api' };

function refine(input: RawHttpInput, connector: ConnectorId): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const checked = checkEndpoint(input.endpoint);
  if ('issues' in checked) issues.push(...checked.issues);
  const base = BASE_PATH[connector];
  if (input.endpoint === base || input.endpoint.startsWith(`${base}/`)) {
    // `/v1/campaigns/1` on App would reach `/v1/v1/campaigns/1`: a 404 that explains nothing.
    issues.push({
      path: '/endpoint',
      message: `starts with ${base}, which the ${connector} base URL already ends with: use "${input.endpoint.slice(base.length) || '/'}"`,
    });
  }
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    const at = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const nameProblem = RAW_FORBIDDEN.get(name.toLowerCase()) ?? headerNameProblem(name);
    if (nameProblem !== undefined) issues.push({ path: at, message: nameProblem });
    const valueProblem = headerValueProblem(value);
    if (valueProblem !== undefined) issues.push({ path: at, message: valueProblem });
  }
  const bodyType = bodyTypeOf(input);
  const hasBody = input.body !== undefined;
  if (bodyType === 'none' && hasBody) {
    issues.push({
      path: '/body',
      message: 'is given but body_type is "none": set body_type to json, raw or form_urlencoded',
    });
  }
  if (bodyType !== 'none' && !hasBody) {
    issues.push({ path: '/body', message: `is required when body_type is "${bodyType}"` });
  }
  if (bodyType === 'raw' && hasBody && typeof input.body !== 'string') {
    issues.push({ path: '/body', message: 'must be a string when body_type is "raw"' });
  }
  if (bodyType === 'form_urlencoded' && hasBody && !isFlatRecord(input.body)) {
    issues.push({
      path: '/body',
      message: 'must be an object of strings, numbers or booleans when body_type is "form_urlencoded"',
    });
  }
  if (input.content_type !== undefined && bodyType !== 'raw') {
    issues.push({ path: '/content_type', message: 'applies only when body_type is "raw"' });
  }
  const contentTypeProblem =
    input.content_type === undefined ? undefined : headerValueProblem(input.content_type);
  if (contentTypeProblem !== undefined) issues.push({ path: '/content_type', message: contentTypeProblem });
  if (input.method === 'GET' && bodyType !== 'none') {
    // Said of what was given: a body (its type only implied), or a body_type.
    if (input.body_type === undefined)
      issues.push({ path: '/body', message: 'is not allowed with GET: a GET sends no body' });
    else issues.push({ path: '/body_type', message: 'must be "none" for GET: a GET sends no body' });
  }
  return issues;
}

function isFlatRecord(value: unknown): value is Record<string, QueryScalar> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v))
  );
}

function bodyOf(input: RawHttpInput): WireBody {
  switch (bodyTypeOf(input)) {
    case 'none':
      return { kind: 'none' };
    case 'json':
      return { kind: 'json', value: input.body };
    case 'raw':
      return { kind: 'raw', value: String(input.body), contentType: input.content_type ?? 'text/plain' };
    case 'form_urlencoded': {
      const form: Record<string, string> = {};
      for (const [k, v] of Object.entries(input.body as Record<string, QueryScalar>)) form[k] = String(v);
      return { kind: 'form', value: form };
    }
  }
}

/** The answer as output, redacted as errors are: a server that echoes the key never prints it. */
function decode(
  response: WireResponse,
  _request: WireRequest,
  redactor: Redactor,
): Static<typeof RawHttpOutput> {
  return {
    status: response.status,
    headers: redactHeaders(response.headers, redactor),
    body: redactor.value(response.body ?? null),
  };
}

const EXAMPLE_ENDPOINT: Record<ConnectorId, string> = {
  track: '/v1/accounts/region',
  app: '/campaigns/1/triggers/1',
  beta: '/campaigns/1/triggers/1',
};

function rawHttpRequest<const C extends ConnectorId>(connector: C, rateBucket: RateBucket, baseHint: string) {
  return defineOperation({
    id: `${connector}.raw_http_request`,
    connector,
    title: 'Raw HTTP request (advanced)',
    description: `Calls any endpoint under the ${baseHint} base URL with the authentication and region injected: a method, an endpoint suffix, query parameters and a body. Use it for endpoints that have no operation yet.`,
    method: 'ANY',
    path: '{endpoint}',
    input: RawHttpInput,
    output: RawHttpOutput,
    safety: { idempotent: false, destructive: true, rateBucket },
    examples: [
      {
        summary: 'A GET with the connector’s auth',
        input: { method: 'GET', endpoint: EXAMPLE_ENDPOINT[connector] },
      },
    ],
    // GET, PUT and DELETE are idempotent by HTTP semantics; POST and PATCH may not be.
    isIdempotent: (input) => input.method === 'GET' || input.method === 'PUT' || input.method === 'DELETE',
    refine: (input) => refine(input, connector),
    encode(input) {
      const checked = checkEndpoint(input.endpoint);
      if ('issues' in checked) throw new ValidationError('Invalid input', checked.issues);
      // No prototype: a parameter may be called `__proto__` or `constructor` like any other.
      const query = Object.create(null) as Record<string, QueryValue>;
      for (const [key, value] of checked.query) {
        const existing = query[key];
        query[key] =
          existing === undefined
            ? value
            : [...(Array.isArray(existing) ? (existing as QueryScalar[]) : [existing as QueryScalar]), value];
      }
      for (const [key, value] of Object.entries(input.query_parameters ?? {})) query[key] = value;
      return wireRequest(input.method, checked.path, {
        query,
        headers: input.headers ?? {},
        body: bodyOf(input),
      });
    },
    decode,
  });
}

export const trackRawHttpRequest = rawHttpRequest('track', 'track', 'Track API (`…/api`)');
export const appRawHttpRequest = rawHttpRequest('app', 'app', 'App API (`…/v1`)');
export const betaRawHttpRequest = rawHttpRequest('beta', 'app', 'Beta API (`…/v1/api`)');
