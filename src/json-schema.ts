/**
 * Plain JSON Schema, written with a few typed helpers. Each helper returns a plain object (what
 * Ajv, Fastify, the OpenAPI document and the console read) whose TypeScript type also carries the
 * static type of the values it accepts: `Static<typeof Schema>`. The output is the JSON Schema the
 * project used to get from TypeBox, keyword for keyword, without loading a schema library at run
 * time (start-up, issue #12).
 *
 * Only what the project uses is here: strings, numbers, booleans, null, constants, unions, objects
 * with optional properties, arrays, records, intersections of objects, `Omit`, one recursive schema.
 */

declare const STATIC: unique symbol;
declare const OPTIONAL: unique symbol;

/** Any JSON Schema (a plain object of keywords). */
export interface TSchema {
  readonly [keyword: string]: unknown;
}

/** A JSON Schema whose valid values have the type `T` (a type-level note: nothing at run time). */
export type Schema<T> = TSchema & { readonly [STATIC]: T };

/** A property that may be left out (`Type.Optional`). */
export type TOptional<S extends TSchema> = S & { readonly [OPTIONAL]: true };

export type TProperties = Readonly<Record<string, TSchema>>;

/** An object schema with its properties (`Type.Object`). */
export type TObject<P extends TProperties = TProperties> = Schema<ObjectStatic<P>> & {
  readonly type: 'object';
  readonly properties: P;
  readonly required?: readonly string[];
};

/** The type of the values a schema accepts; `unknown` for a schema without one. */
export type Static<S> = S extends { readonly [STATIC]: infer T } ? T : unknown;

type Evaluate<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<P> = {
  [K in keyof P]: P[K] extends { readonly [OPTIONAL]: true } ? K : never;
}[keyof P];
/** The static type of an object with these properties. */
export type ObjectStatic<P extends TProperties> = Evaluate<
  { [K in Exclude<keyof P, OptionalKeys<P>>]: Static<P[K]> } & {
    [K in OptionalKeys<P>]?: Static<P[K]>;
  }
>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** Annotations and keywords a helper passes through (`description`, `minLength`, `title`…). */
export type Options = Readonly<Record<string, unknown>>;

/** The schemas `Type.Optional` made: a copy, so the same schema stays required elsewhere. */
const optionals = new WeakSet<object>();

const typed = <T>(schema: Record<string, unknown>): Schema<T> => schema as Schema<T>;

/** The helpers, named after the JSON Schema types they write. */
export const Type = {
  String: (options: Options = {}): Schema<string> => typed({ ...options, type: 'string' }),
  Integer: (options: Options = {}): Schema<number> => typed({ ...options, type: 'integer' }),
  Number: (options: Options = {}): Schema<number> => typed({ ...options, type: 'number' }),
  Boolean: (options: Options = {}): Schema<boolean> => typed({ ...options, type: 'boolean' }),
  Null: (options: Options = {}): Schema<null> => typed({ ...options, type: 'null' }),
  /** Any value (an empty schema). */
  Unknown: (options: Options = {}): Schema<unknown> => typed({ ...options }),

  Literal: <const V extends string | number | boolean>(value: V, options: Options = {}): Schema<V> =>
    typed({ ...options, const: value, type: typeof value }),

  Union: <const T extends readonly TSchema[]>(anyOf: T, options: Options = {}): Schema<Static<T[number]>> =>
    typed({ ...options, anyOf }),

  Optional: <S extends TSchema>(schema: S): TOptional<S> => {
    const copy = { ...schema };
    optionals.add(copy);
    return copy as TOptional<S>;
  },

  Object: <const P extends TProperties>(properties: P, options: Options = {}): TObject<P> => {
    const required = Object.keys(properties).filter((name) => !optionals.has(properties[name] as object));
    return (required.length > 0
      ? { ...options, type: 'object', required, properties }
      : { ...options, type: 'object', properties }) as unknown as TObject<P>;
  },

  Array: <S extends TSchema>(items: S, options: Options = {}): Schema<Static<S>[]> =>
    typed({ ...options, type: 'array', items }),

  /** An object whose every property (a name matching the key's `pattern`, or any) is a `value`. */
  Record: <S extends TSchema>(
    key: Schema<string>,
    value: S,
    options: Options = {},
  ): Schema<Record<string, Static<S>>> => {
    const pattern = typeof key['pattern'] === 'string' ? key['pattern'] : '^(.*)$';
    return typed({ ...options, type: 'object', patternProperties: { [pattern]: value } });
  },

  /** All of several schemas (`type: "object"` when every one is an object with `properties`). */
  Intersect: <const T extends readonly TSchema[]>(
    allOf: T,
    options: Options = {},
  ): Schema<Evaluate<UnionToIntersection<Static<T[number]>>>> =>
    typed(
      allOf.every((s) => s['type'] === 'object' && 'properties' in s)
        ? { ...options, type: 'object', allOf }
        : { ...options, allOf },
    ),

  /** An object schema without some of its properties. */
  Omit: <P extends TProperties, K extends keyof P & string>(
    schema: TObject<P>,
    keys: readonly K[],
    options: Options = {},
  ): TObject<Omit<P, K>> => {
    const { type: _type, required: _required, properties, $id: _id, ...rest } = schema;
    const kept = Object.fromEntries(
      Object.entries(properties).filter(([name]) => !(keys as readonly string[]).includes(name)),
    );
    return Type.Object(kept, { ...rest, ...options }) as unknown as TObject<Omit<P, K>>;
  },

  /**
   * A schema that contains itself: `build` gets a `$ref` to the schema being built. The static type
   * is given (`Type.Recursive<Step>(…)`): TypeScript cannot infer a type from its own definition.
   */
  Recursive: <T>(build: (self: Schema<T>) => TSchema, options: Options & { $id: string }): Schema<T> =>
    typed({ ...options, ...build(typed<T>({ $ref: options.$id })) }),
};
