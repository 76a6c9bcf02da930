/**
 * From a row of a file (column → value) to one v2 entity: which column identifies the person (or
 * object), which names the event and gives its time, how the other columns are renamed, dropped
 * and typed (`--map`), and whether the result is within Customer.io's limits. A row that cannot
 * become an entity gets a reason, never an exception.
 */
import { closest } from '../closest.js';
import { ValidationError } from '../errors.js';
import { TRACK_LIMITS } from '../operations/track-people.js';

export type ImportKind = 'people' | 'events' | 'objects';
export type ColumnType = 'string' | 'number' | 'boolean' | 'timestamp' | 'json';
export const COLUMN_TYPES: readonly ColumnType[] = ['string', 'number', 'boolean', 'timestamp', 'json'];
export type IdentifierType = 'id' | 'email' | 'cio_id';

/** One column of `--map`: a new name, `false` to drop it, or `{ to?, type?, drop? }`. */
export type ColumnSpec = string | false | null | { to?: string; type?: ColumnType; drop?: boolean };
/** `--map mapping.json`: `{ "<column in the file>": ColumnSpec }`. */
export type MappingSpec = Record<string, ColumnSpec>;

export interface MappingOptions {
  kind: ImportKind;
  /** The column that identifies the person (people, events) or the object (objects). */
  identifierColumn?: string | undefined;
  /** What that column holds; default from its name (`email`, `cio_id`, otherwise `id`). */
  identifierType?: IdentifierType | undefined;
  /** Events: the column with the event name (default `name`, else `event`). */
  nameColumn?: string | undefined;
  /** Events: one name for every row instead of a column. */
  eventName?: string | undefined;
  /** Events: the column with the event time (default `timestamp` when present). People: `_timestamp`-like `timestamp` of identify. */
  timestampColumn?: string | undefined;
  /** Objects: the object type id (a string-formatted integer from "1"). */
  objectTypeId?: string | undefined;
  map?: MappingSpec | undefined;
  /** CSV: an empty cell clears the attribute (`null`) instead of being left out. */
  emptyAsNull?: boolean | undefined;
}

export interface MappedRow {
  entity: Record<string, unknown>;
  /** Events: the event time in ms (the time part of its id), when the row has one. */
  timeMs?: number;
}
export interface RowProblem {
  reason: string;
  field?: string;
}

type Role =
  | { kind: 'identifier' | 'name' | 'timestamp'; column?: undefined }
  | { kind: 'drop'; column: string; to: string; type: undefined }
  | { kind: 'attribute'; column: string; to: string; type: ColumnType | undefined; mapped: boolean };
const IDENTIFIER: Role = { kind: 'identifier' };
const NAME: Role = { kind: 'name' };
const TIMESTAMP: Role = { kind: 'timestamp' };

interface PlannedColumn {
  to: string;
  type: ColumnType | undefined;
}

/** Checks a `--map` document's shape; throws a ValidationError naming each problem. */
export function parseMapping(value: unknown, source = '--map'): MappingSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(
      `${source} must be a JSON object of column → new name, false (drop) or { "to", "type" }`,
    );
  const problems: string[] = [];
  for (const [column, spec] of Object.entries(value as Record<string, unknown>)) {
    if (spec === false || spec === null || (typeof spec === 'string' && spec !== '')) continue;
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      problems.push(`"${column}": give a new name, false to drop it, or { "to", "type" }`);
      continue;
    }
    for (const key of Object.keys(spec))
      if (key !== 'to' && key !== 'type' && key !== 'drop')
        problems.push(`"${column}": unknown field "${key}" (to, type, drop)`);
    const { to, type, drop } = spec as Record<string, unknown>;
    if (to !== undefined && (typeof to !== 'string' || to === ''))
      problems.push(`"${column}": "to" must be a non-empty string`);
    if (type !== undefined && !COLUMN_TYPES.includes(type as ColumnType))
      problems.push(
        `"${column}": type must be one of ${COLUMN_TYPES.join(', ')}, not ${JSON.stringify(type)}`,
      );
    if (drop !== undefined && typeof drop !== 'boolean')
      problems.push(`"${column}": drop must be true or false`);
  }
  if (problems.length > 0)
    throw new ValidationError(
      `${source} has problems`,
      problems.map((message) => ({ path: '', message })),
    );
  return value as MappingSpec;
}

const utf8 = (text: string): number =>
  text.length * 3 <= 150 ? text.length : Buffer.byteLength(text, 'utf8');

/**
 * The mapper for a file. `columns` is the CSV header (checked now: a column named by a flag or by
 * `--map` that the file lacks is an error); for NDJSON (no header) it is undefined and the names
 * are looked up in each row.
 */
export class RowMapper {
  readonly identifierColumn: string;
  readonly identifierType: IdentifierType;
  readonly nameColumn: string | undefined;
  /**
   * NDJSON without --name-column: the key that names the event in a row without `name` (`event`),
   * as a CSV header without a `name` column falls back to its `event` column.
   */
  private readonly nameFallback: string | undefined;
  readonly timestampColumn: string | undefined;
  private readonly plan = new Map<string, PlannedColumn | null>();
  /** `--map` columns seen in at least one row (NDJSON: to warn about the others at the end). */
  readonly seen = new Set<string>();

  constructor(
    private readonly options: MappingOptions,
    readonly columns: readonly string[] | undefined,
  ) {
    const has = (name: string): boolean => columns === undefined || columns.includes(name);
    const pick = (given: string | undefined, defaults: string[], flag: string, required: boolean) => {
      if (given !== undefined) {
        if (!has(given)) throw missingColumn(given, flag, columns ?? []);
        return given;
      }
      const found = columns === undefined ? defaults[0] : defaults.find((d) => columns.includes(d));
      if (found === undefined && required)
        throw new ValidationError(
          `The file has no ${defaults.map((d) => `"${d}"`).join(' or ')} column; name the column with ${flag} (columns: ${(columns ?? []).join(', ')})`,
        );
      return found;
    };
    const identifierDefaults =
      options.kind === 'objects' ? ['object_id', 'id'] : ['id', 'email', 'cio_id', 'customer_id'];
    this.identifierColumn =
      pick(options.identifierColumn, identifierDefaults, '--identifier-column', true) ?? 'id';
    this.identifierType =
      options.identifierType ??
      (this.identifierColumn === 'email' ? 'email' : this.identifierColumn === 'cio_id' ? 'cio_id' : 'id');
    if (options.kind === 'events') {
      this.nameColumn =
        options.eventName === undefined
          ? pick(options.nameColumn, ['name', 'event'], '--name-column', true)
          : undefined;
      if (columns === undefined && options.eventName === undefined && options.nameColumn === undefined)
        this.nameFallback = 'event';
    }
    if (options.kind !== 'objects') {
      // Without a header the default is only used when a row has it.
      this.timestampColumn = pick(options.timestampColumn, ['timestamp'], '--timestamp-column', false);
    }
    if (
      options.kind === 'objects' &&
      (options.objectTypeId === undefined || !/^[1-9][0-9]*$/.test(options.objectTypeId))
    )
      throw new ValidationError(
        `Objects need --object-type-id: the object type's id, a whole number from 1 (got ${JSON.stringify(options.objectTypeId ?? null)})`,
      );
    const map = options.map ?? {};
    if (columns !== undefined) {
      for (const column of Object.keys(map))
        if (!columns.includes(column)) throw missingColumn(column, '--map', columns);
    }
    for (const [column, spec] of Object.entries(map)) {
      if (spec === false || spec === null || (typeof spec === 'object' && spec.drop === true))
        this.plan.set(column, null);
      else if (typeof spec === 'string') this.plan.set(column, { to: spec, type: undefined });
      else this.plan.set(column, { to: spec.to ?? column, type: spec.type });
    }
  }

  /** What each column of the header does (CSV: computed once). */
  private roles: readonly Role[] | undefined;
  /** NDJSON: the role of each key seen so far. */
  private readonly roleCache = new Map<string, Role>();

  private roleOf(column: string): Role {
    if (column === this.identifierColumn) return IDENTIFIER;
    if (column === this.nameColumn) return NAME;
    if (column === this.timestampColumn) return TIMESTAMP;
    const planned = this.plan.get(column);
    if (planned === null) return { kind: 'drop', column, to: column, type: undefined };
    if (planned === undefined)
      return { kind: 'attribute', column, to: column, type: undefined, mapped: false };
    return { kind: 'attribute', column, to: planned.to, type: planned.type, mapped: true };
  }

  /** A CSV record (its fields in header order) → an entity, or the reason it cannot be sent. */
  mapFields(fields: readonly string[]): MappedRow | RowProblem {
    const columns = this.columns ?? [];
    this.roles ??= columns.map((c) => this.roleOf(c));
    return this.build(columns, this.roles, fields, true);
  }

  /** An NDJSON object → an entity, or the reason it cannot be sent. */
  map(values: Record<string, unknown>): MappedRow | RowProblem {
    const columns = Object.keys(values);
    // A row without the name key is named by the fallback key, if it has one.
    const fallback =
      this.nameFallback !== undefined &&
      this.nameColumn !== undefined &&
      !Object.hasOwn(values, this.nameColumn) &&
      Object.hasOwn(values, this.nameFallback)
        ? this.nameFallback
        : undefined;
    const roles = columns.map((c) => {
      if (c === fallback) return NAME;
      let role = this.roleCache.get(c);
      if (role === undefined) {
        role = this.roleOf(c);
        this.roleCache.set(c, role);
      }
      return role;
    });
    return this.build(
      columns,
      roles,
      columns.map((c) => values[c]),
      false,
    );
  }

  private build(
    columns: readonly string[],
    roles: readonly Role[],
    fields: readonly unknown[],
    csv: boolean,
  ): MappedRow | RowProblem {
    const o = this.options;
    let identifier: unknown;
    const attributes: Record<string, unknown> = {};
    let count = 0;
    let timeMs: number | undefined;
    let name: string | undefined = o.eventName;
    for (let i = 0; i < roles.length; i++) {
      const role = roles[i] as Role;
      const raw = fields[i];
      switch (role.kind) {
        case 'identifier':
          identifier = raw;
          continue;
        case 'name':
          if (typeof raw !== 'string' || raw.trim() === '')
            return { reason: `no event name in ${String(columns[i])}`, field: String(columns[i]) };
          name = raw.trim();
          continue;
        case 'timestamp': {
          if (raw === '' || raw === null || raw === undefined) continue;
          const seconds = toUnix(raw);
          if (seconds === undefined)
            return {
              reason: `${String(columns[i])}: ${JSON.stringify(raw)} is not a unix timestamp or an ISO 8601 date`,
              field: String(columns[i]),
            };
          timeMs = seconds * 1000;
          continue;
        }
        case 'drop':
          this.seen.add(role.column);
          continue;
        case 'attribute':
          break;
      }
      if (role.mapped) this.seen.add(role.column);
      let value: unknown = raw;
      if (csv && raw === '') {
        // A CSV empty cell: left out, or a clearing null with --empty-as-null.
        if (o.emptyAsNull !== true) continue;
        value = null;
      } else if (role.type !== undefined && value !== null) {
        const converted = convert(value, role.type);
        if (converted === undefined)
          return {
            reason: `${role.column}: ${JSON.stringify(value)} is not ${typeName(role.type)}`,
            field: role.column,
          };
        value = converted.value;
      }
      if (utf8(role.to) > TRACK_LIMITS.attributeNameBytes)
        return {
          reason: `the attribute name ${JSON.stringify(role.to.slice(0, 40))}… is longer than ${TRACK_LIMITS.attributeNameBytes} bytes`,
          field: role.column,
        };
      if (typeof value === 'string' && o.kind !== 'events' && utf8(value) > TRACK_LIMITS.attributeValueBytes)
        return {
          reason: `${role.column} is ${Buffer.byteLength(value, 'utf8')} bytes; an attribute value may be at most ${TRACK_LIMITS.attributeValueBytes} bytes`,
          field: role.column,
        };
      attributes[role.to] = value;
      count++;
    }
    if (identifier === undefined || identifier === null || identifier === '')
      return {
        reason: `no ${this.identifierColumn} (the identifier column is empty)`,
        field: this.identifierColumn,
      };
    if (typeof identifier !== 'string' && typeof identifier !== 'number')
      return { reason: `${this.identifierColumn} must be text or a number`, field: this.identifierColumn };
    const idText = typeof identifier === 'string' ? identifier.trim() : String(identifier);
    if (idText === '')
      return {
        reason: `no ${this.identifierColumn} (the identifier column is empty)`,
        field: this.identifierColumn,
      };
    if (utf8(idText) > TRACK_LIMITS.identifierBytes)
      return {
        reason: `${this.identifierColumn} is longer than ${TRACK_LIMITS.identifierBytes} bytes`,
        field: this.identifierColumn,
      };
    if (o.kind !== 'events' && count > TRACK_LIMITS.attributesPerCall)
      return { reason: `${count} attributes; at most ${TRACK_LIMITS.attributesPerCall} per row` };
    if (o.kind === 'objects') {
      return {
        entity: {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: o.objectTypeId, object_id: idText },
          ...(count > 0 ? { attributes } : {}),
        },
      };
    }
    const identifiers = { [this.identifierType]: idText };
    if (o.kind === 'people') {
      const entity: Record<string, unknown> = { type: 'person', action: 'identify', identifiers };
      if (timeMs !== undefined) entity['timestamp'] = timeMs / 1000;
      if (count > 0) entity['attributes'] = attributes;
      return { entity };
    }
    const nameField = this.nameColumn === undefined ? {} : { field: this.nameColumn };
    if (name === undefined)
      return {
        reason:
          this.nameFallback === undefined
            ? 'no event name'
            : `no event name (the row has no "${String(this.nameColumn)}" or "${this.nameFallback}")`,
        ...nameField,
      };
    if (utf8(name) > TRACK_LIMITS.eventNameBytes)
      return { reason: `the event name is longer than ${TRACK_LIMITS.eventNameBytes} bytes`, ...nameField };
    const entity: Record<string, unknown> = { type: 'person', action: 'event', identifiers, name };
    if (timeMs !== undefined) entity['timestamp'] = timeMs / 1000;
    if (count > 0) entity['attributes'] = attributes;
    return timeMs === undefined ? { entity } : { entity, timeMs };
  }

  /** The original row, for the rejects file: CSV fields by column name, or the NDJSON object. */
  recordOf(read: { fields?: readonly string[]; values?: Record<string, unknown> }): unknown {
    if (read.fields === undefined) return read.values;
    const record: Record<string, string> = {};
    (this.columns ?? []).forEach((column, i) => {
      record[column] = read.fields?.[i] ?? '';
    });
    return record;
  }

  /** `--map` columns no row had (NDJSON has no header to check them against up front). */
  unseenMapColumns(): string[] {
    return [...this.plan.keys()].filter((c) => !this.seen.has(c));
  }
}

function missingColumn(column: string, flag: string, columns: readonly string[]): ValidationError {
  const suggestion = closest(column, columns);
  const error = new ValidationError(
    `${flag} names the column "${column}", which the file does not have (columns: ${columns.join(', ')})`,
  );
  if (suggestion !== undefined) error.hint = `Did you mean "${suggestion}"?`;
  return error;
}

function typeName(type: ColumnType): string {
  switch (type) {
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean (true/false, yes/no, 1/0)';
    case 'timestamp':
      return 'a unix timestamp or an ISO 8601 date';
    case 'json':
      return 'valid JSON';
    default:
      return 'text';
  }
}

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

/** A value as `type`, or undefined when it is not one. */
export function convert(value: unknown, type: ColumnType): { value: unknown } | undefined {
  switch (type) {
    case 'string':
      return { value: typeof value === 'string' ? value : JSON.stringify(value) };
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? { value } : undefined;
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      const n = Number(value.trim());
      return Number.isFinite(n) ? { value: n } : undefined;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      const b = BOOLEANS[String(value).trim().toLowerCase()];
      return b === undefined ? undefined : { value: b };
    }
    case 'timestamp': {
      const seconds = toUnix(value);
      return seconds === undefined ? undefined : { value: seconds };
    }
    case 'json':
      if (typeof value !== 'string') return { value };
      try {
        return { value: JSON.parse(value) as unknown };
      } catch {
        return undefined;
      }
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Whole unix seconds from a number, a numeric string (seconds) or an ISO 8601 date (a date alone
 * is midnight UTC; a time without an offset is read as UTC). Undefined otherwise.
 */
export function toUnix(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value < 1e11 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  // Seconds; a 13-digit number is milliseconds, which Customer.io would read as a far future.
  if (/^\d+$/.test(text)) return text.length <= 11 ? Number(text) : undefined;
  if (!ISO_DATE.test(text)) return undefined;
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10;
  const ms = Date.parse(
    hasOffset || text.length === 10 ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`,
  );
  return Number.isNaN(ms) || ms < 0 ? undefined : Math.floor(ms / 1000);
}
