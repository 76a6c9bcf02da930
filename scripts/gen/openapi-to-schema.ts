/**
 * OpenAPI 3.0/3.1 schema → a JSON Schema our strict Ajv accepts: $refs inlined (with a cycle
 * guard), `oneOf` read as `anyOf` (the published variants overlap), `nullable` as a null type, and
 * only JSON Schema keywords kept (examples, formats, vendor extensions and discriminators dropped).
 */
type Json = Record<string, unknown>;

const KEEP = new Set([
  'type',
  'description',
  'title',
  'enum',
  'const',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
]);

export class SchemaConverter {
  constructor(private readonly document: Json) {}

  resolve(ref: string): Json {
    let node: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (typeof node !== 'object' || node === null) throw new Error(`unresolvable $ref ${ref}`);
    return node as Json;
  }

  /** Follows $refs at the top of a node (parameters, request bodies, responses). */
  deref(node: Json): Json {
    let current = node;
    for (let i = 0; i < 20 && typeof current['$ref'] === 'string'; i++)
      current = this.resolve(current['$ref']);
    return current;
  }

  convert(node: unknown, seen: readonly string[] = []): Json {
    if (typeof node !== 'object' || node === null) return {};
    let source = node as Json;
    const ref = source['$ref'];
    if (typeof ref === 'string') {
      // A recursive schema is cut at its second appearance: any JSON is accepted there.
      if (seen.includes(ref)) return {};
      return this.convert(this.resolve(ref), [...seen, ref]);
    }
    source = { ...source };
    const out: Json = {};
    for (const [key, value] of Object.entries(source)) {
      if (KEEP.has(key)) {
        if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'boolean')
          continue;
        if (key === 'description' && typeof value === 'string') out[key] = value.trim();
        else if (key === 'enum' && Array.isArray(value)) out[key] = value.filter((v) => v !== null);
        else out[key] = value;
      }
    }
    if (Array.isArray(out['type']))
      out['type'] = (out['type'] as unknown[]).filter((t) => typeof t === 'string');
    if (source['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    const properties = source['properties'];
    if (typeof properties === 'object' && properties !== null) {
      out['properties'] = Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, this.convert(v, seen)]),
      );
    }
    const additional = source['additionalProperties'];
    if (typeof additional === 'boolean') out['additionalProperties'] = additional;
    else if (typeof additional === 'object' && additional !== null)
      out['additionalProperties'] = this.convert(additional, seen);
    if (source['items'] !== undefined) out['items'] = this.convert(source['items'], seen);
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
      const list = source[key];
      if (Array.isArray(list)) {
        const converted = list.map((v) => this.convert(v, seen));
        out[key === 'oneOf' ? 'anyOf' : key] = converted;
      }
    }
    // Ajv's strict mode wants the type beside `required` and `properties`.
    if (
      out['type'] === undefined &&
      (out['properties'] !== undefined || out['required'] !== undefined) &&
      out['anyOf'] === undefined &&
      out['allOf'] === undefined
    ) {
      out['type'] = 'object';
    }
    if (Array.isArray(out['required']) && (out['required'] as unknown[]).length === 0) delete out['required'];
    return out;
  }

  /** The properties and required names of an object schema, merging `allOf` and union variants. */
  objectShape(
    schema: Json,
  ): { properties: Record<string, Json>; required: string[]; union: boolean } | undefined {
    if (schema['type'] === 'object' || schema['properties'] !== undefined) {
      const properties = { ...((schema['properties'] as Record<string, Json> | undefined) ?? {}) };
      const required = [...((schema['required'] as string[] | undefined) ?? [])];
      let union = false;
      for (const part of (schema['allOf'] as Json[] | undefined) ?? []) {
        const shape = this.objectShape(part);
        if (shape === undefined) continue;
        Object.assign(properties, shape.properties);
        required.push(...shape.required);
        union ||= shape.union;
      }
      return { properties, required: [...new Set(required)], union };
    }
    const variants = (schema['anyOf'] as Json[] | undefined) ?? (schema['allOf'] as Json[] | undefined);
    if (variants === undefined) return undefined;
    const shapes = variants.map((v) => this.objectShape(v));
    if (shapes.some((s) => s === undefined)) return undefined;
    const defined = shapes as { properties: Record<string, Json>; required: string[] }[];
    const properties: Record<string, Json> = {};
    for (const shape of defined) for (const [k, v] of Object.entries(shape.properties)) properties[k] ??= v;
    if (schema['allOf'] !== undefined) {
      return { properties, required: [...new Set(defined.flatMap((s) => s.required))], union: false };
    }
    // A union: a field is required only when every variant requires it.
    const required = (defined[0]?.required ?? []).filter((name) =>
      defined.every((s) => s.required.includes(name)),
    );
    return { properties, required, union: true };
  }
}
