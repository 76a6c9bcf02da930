/**
 * Track v2 entities applied to the workspace (customerio-api.md §2.2): each item validated with the
 * registry's own v2 schema and size limit, then applied as the matching v1 rule. A refused item is
 * an `ItemError` (reason, field, message), which the route turns into the v2 error shape.
 */
import { V2_LIMITS, V2Entity } from '../../operations/track-v2.js';
import { checkerFor } from '../../schema.js';
import { EmulatorHttpError } from './errors.js';
import { objectRefOf } from './objects.js';
import { now, type EmulatorState } from './workspace.js';

type Item = Record<string, unknown>;

const checkV2Entity = checkerFor(V2Entity);

/** The v1 path identifier for v2 person identifiers (`cio_` prefix for cio_id). */
function personIdentifier(identifiers: Record<string, string>): string {
  if (identifiers['phone'] !== undefined) {
    // Phone is an identifier only where the workspace enables it; the emulator's workspace does not.
    throw new ItemError(
      'invalid_identifier',
      'identifiers',
      'phone is not enabled as an identifier in this workspace',
    );
  }
  if (identifiers['cio_id'] !== undefined) return `cio_${identifiers['cio_id']}`;
  return identifiers['email'] ?? identifiers['id'] ?? '';
}

export class ItemError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates and applies one entity; throws `ItemError` for a refused item. `rawBytes` is the item's
 * size as it arrived, less the whitespace between tokens (from the JSON parser's scan); without
 * it, the parsed item is serialised to be measured. Whether Customer.io measures the bytes sent or
 * a re-serialisation is UNCONFIRMED: they differ only in how strings are escaped and numbers
 * spelled (`\u00e9` or `é`, `1e3` or `1000`), and not at all for what `JSON.stringify` sends.
 */
export function applyEntity(state: EmulatorState, raw: unknown, rawBytes?: number): void {
  const bytes = rawBytes ?? Buffer.byteLength(JSON.stringify(raw), 'utf8');
  if (bytes > V2_LIMITS.itemBytes)
    throw new ItemError('too_large', '', `the item is ${bytes} bytes; at most ${V2_LIMITS.itemBytes}`);
  const issues = checkV2Entity(raw);
  const first = issues?.[0];
  if (issues !== undefined && first !== undefined)
    throw new ItemError(
      'invalid',
      first.path.replace(/^\//, '').replace(/\//g, '.'),
      issues.map((i) => `${i.path} ${i.message}`.trim()).join('; '),
    );
  const item = raw as Item;
  try {
    if (item['type'] === 'person') applyPerson(state, item);
    else if (item['type'] === 'object') applyObject(state, item);
    // Delivery metrics are accepted and not stored.
  } catch (error) {
    if (error instanceof EmulatorHttpError) {
      const body = error.body as { meta?: { error?: string; errors?: string[] } };
      throw new ItemError('invalid', '', body.meta?.error ?? body.meta?.errors?.join('; ') ?? 'invalid');
    }
    throw error;
  }
}

function applyPerson(state: EmulatorState, item: Item): void {
  const action = item['action'] as string;
  if (action === 'merge') {
    state.merge({ primary: item['primary'], secondary: item['secondary'] });
    return;
  }
  const identifier = personIdentifier(item['identifiers'] as Record<string, string>);
  const attributes = (item['attributes'] ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'identify':
      state.identify(identifier, {
        ...(item['cio_relationships'] === undefined ? {} : { cio_relationships: item['cio_relationships'] }),
        ...attributes,
        ...(typeof item['timestamp'] === 'number' ? { _timestamp: item['timestamp'] } : {}),
      });
      return;
    case 'delete':
      state.deletePerson(identifier);
      return;
    case 'event':
    case 'page':
    case 'screen':
      state.trackEvent(
        identifier,
        {
          name: item['name'],
          id: item['id'],
          timestamp: item['timestamp'],
          type: action,
          data: attributes,
        },
        // The item is at most 32 KB (checked above), so its attributes are under the 100 KB data limit.
        { dataWithinLimit: true },
      );
      return;
    case 'add_device': {
      const device = item['device'] as Record<string, unknown>;
      state.addDevice(identifier, { device: { ...device, id: device['token'] } });
      return;
    }
    case 'delete_device':
      state.deleteDevice(identifier, (item['device'] as { token: string }).token);
      return;
    case 'suppress':
      state.suppress(identifier);
      return;
    case 'unsuppress':
      state.unsuppress(identifier);
      return;
    case 'add_relationships':
    case 'delete_relationships': {
      const person = state.findByPathIdentifier(identifier);
      if (person !== undefined)
        state.applyRelationships(person, item['cio_relationships'], action === 'add_relationships');
      return;
    }
    default:
      return;
  }
}

function applyObject(state: EmulatorState, item: Item): void {
  const ref = objectRefOf(item['identifiers']);
  if (ref === undefined) return;
  const action = item['action'];
  if (action === 'delete') {
    state.objects.delete(ref);
    return;
  }
  const record =
    action === 'identify' || action === 'identify_anonymous'
      ? state.objects.upsert(ref)
      : state.objects.find(ref);
  if (record === undefined) return;
  if (item['attributes'] !== undefined)
    state.objects.setAttributes(record, item['attributes'] as Record<string, unknown>, now());
  // Relationships from the object's side name people: {id} | {email} | {cio_id} (| {anonymous_id}).
  const adding = action !== 'delete_relationships';
  const target = { object_type_id: record.object_type_id, object_id: record.object_id };
  for (const entry of (item['cio_relationships'] ?? []) as {
    identifiers?: Record<string, string>;
    relationship_attributes?: Record<string, unknown>;
  }[]) {
    const ids = entry.identifiers ?? {};
    const person =
      ids['cio_id'] !== undefined
        ? state.find('cio_id', ids['cio_id'])
        : ids['email'] !== undefined
          ? state.find('email', ids['email'])
          : ids['id'] !== undefined
            ? state.find('id', ids['id'])
            : undefined;
    if (person !== undefined) state.objects.relate(person, target, entry.relationship_attributes, adding);
  }
}
