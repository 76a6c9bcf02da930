/**
 * Validates requests against the official Customer.io OpenAPI specs the repository carries in spec/customerio/.
 * The published specs are not strictly valid OpenAPI and some `oneOf` variants overlap (a broadcast
 * trigger with `ids` also matches the bare-`data` variant), so their schemas are read with Ajv in
 * non-strict mode and `oneOf` is read as "at least one" (anyOf).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export const REFERENCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../spec/customerio');

type Json = Record<string, unknown>;

interface SpecOperation {
  method: string;
  template: string;
  regex: RegExp;
  operation: Json;
  pathItem: Json;
}

export interface SpecRequest {
  method: string;
  /** Path relative to the spec's server origin, e.g. `/api/v1/customers/42` or `/v1/send/email`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export class OpenApiSpec {
  private readonly doc: Json;
  private readonly ajv: Ajv2020;
  private readonly operations: SpecOperation[] = [];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.doc = normalise(JSON.parse(readFileSync(resolve(REFERENCE_DIR, file), 'utf8'))) as Json;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    this.ajv.addSchema(this.doc, 'spec');
    for (const [template, pathItem] of Object.entries(this.doc['paths'] as Record<string, Json>)) {
      for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
        const operation = pathItem[method] as Json | undefined;
        if (operation === undefined) continue;
        const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        this.operations.push({ method: method.toUpperCase(), template, regex, operation, pathItem });
      }
    }
  }

  get operationCount(): number {
    return this.operations.length;
  }

  /** Every operation as `METHOD /template`. */
  routes(): { method: string; template: string; matches: (method: string, path: string) => boolean }[] {
    return this.operations.map((o) => ({
      method: o.method,
      template: o.template,
      matches: (method: string, path: string) => method === o.method && o.regex.test(path),
    }));
  }

  /** The problems of a request against the spec; empty when it conforms. */
  check(request: SpecRequest): string[] {
    const candidates = this.operations.filter((o) => o.regex.test(request.path));
    // Prefer the most specific template (fewest placeholders) when several match.
    candidates.sort(
      (a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0),
    );
    if (candidates.length === 0) return [`no path in the spec matches ${request.path}`];
    const match = candidates.find((c) => c.method === request.method);
    if (match === undefined) return [`${request.method} is not defined for ${candidates[0]?.template ?? ''}`];
    const problems: string[] = [];
    const parameters = [
      ...((match.pathItem['parameters'] as Json[] | undefined) ?? []),
      ...((match.operation['parameters'] as Json[] | undefined) ?? []),
    ].map((p) => this.deref(p));
    const values = pathValues(match.template, request.path);
    for (const parameter of parameters) {
      const name = parameter['name'] as string;
      const schema = parameter['schema'] as Json | undefined;
      if (parameter['in'] === 'path') {
        const value = values[name];
        if (value === undefined) problems.push(`path parameter ${name} is missing`);
        else problems.push(...this.validate(schema, coerce(value, schema), `path parameter ${name}`));
      }
      if (parameter['in'] === 'query') {
        const value = request.query.get(name);
        if (value === null) {
          if (parameter['required'] === true) problems.push(`query parameter ${name} is required`);
        } else problems.push(...this.validate(schema, coerce(value, schema), `query parameter ${name}`));
      }
    }
    const known = new Set(parameters.filter((p) => p['in'] === 'query').map((p) => p['name']));
    for (const name of request.query.keys())
      if (!known.has(name)) problems.push(`query parameter ${name} is not in the spec`);
    const requestBody = match.operation['requestBody'] as Json | undefined;
    if (requestBody === undefined) {
      if (request.body !== undefined) problems.push('the spec defines no request body');
    } else {
      const content = this.deref(requestBody)['content'] as Record<string, Json> | undefined;
      const schema = content?.['application/json']?.['schema'] as Json | undefined;
      if (request.body === undefined) {
        if (this.deref(requestBody)['required'] === true) problems.push('the request body is required');
      } else problems.push(...this.validate(schema, request.body, 'body'));
    }
    return problems;
  }

  private deref(value: Json): Json {
    const ref = value['$ref'];
    if (typeof ref !== 'string') return value;
    let node: unknown = this.doc;
    for (const part of ref.replace(/^#\//, '').split('/'))
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return this.deref(node as Json);
  }

  private validate(schema: Json | undefined, value: unknown, what: string): string[] {
    if (schema === undefined) return [];
    const key = JSON.stringify(schema);
    let validate = this.cache.get(key);
    if (validate === undefined) {
      // Compile with the document as the base, so that local $refs resolve.
      validate = this.ajv.compile({ $id: `spec-fragment-${String(this.cache.size)}`, ...rebase(schema) });
      this.cache.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message ?? e.keyword}`);
  }
}

/** Local refs (`#/components/…`) point into the registered document `spec`. */
function rebase(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"spec#/')) as Json;
}

/** oneOf → anyOf; OpenAPI 3.0 `nullable` → a null type; boolean exclusive bounds dropped. */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'oneOf') out['anyOf'] = normalise(value);
    else if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'boolean')
      continue;
    else out[key] = normalise(value);
  }
  if (out['nullable'] === true) {
    delete out['nullable'];
    if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  }
  return out;
}

function pathValues(template: string, path: string): Record<string, string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
  const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  const match = regex.exec(path);
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = match?.[i + 1];
    if (value !== undefined) out[name] = decodeURIComponent(value);
  });
  return out;
}

function coerce(value: string, schema: Json | undefined): unknown {
  const type = schema?.['type'];
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Turns a prepared request of a connector into the spec's terms. */
export function specRequestOf(
  connector: 'track' | 'app' | 'beta',
  url: string,
  method: string,
  body: string | undefined,
): SpecRequest {
  const parsed = new URL(url);
  let path = decodeURI(parsed.pathname) === parsed.pathname ? parsed.pathname : parsed.pathname;
  if (connector === 'beta') path = path.replace(/^\/v1\/api\//, '/v1/');
  return {
    method,
    path,
    query: parsed.searchParams,
    body: body === undefined ? undefined : (JSON.parse(body) as unknown),
  };
}
