/**
 * Track v2 (`/api/v2/entity`, `/api/v2/batch`): each item validated with the registry's own v2
 * schema and size limits, then applied to the state. A batch answers 207 with `errors[].batch_index`
 * for the items it refused and accepts the rest (customerio-api.md §2.2).
 */
import type { FastifyInstance } from 'fastify';
import { V2_LIMITS, V2Entity } from '../operations/track-v2.js';
import { schemaIssues } from '../schema.js';
import { EmulatorHttpError, v2Error, type V2Error } from './http-error.js';
import type { EmulatorState } from './state.js';

type Item = Record<string, unknown>;

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

class ItemError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Validates and applies one entity; throws `ItemError` for a refused item. */
export function applyEntity(state: EmulatorState, raw: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(raw), 'utf8');
  if (bytes > V2_LIMITS.itemBytes)
    throw new ItemError('too_large', '', `the item is ${bytes} bytes; at most ${V2_LIMITS.itemBytes}`);
  const issues = schemaIssues(V2Entity, raw);
  const first = issues[0];
  if (first !== undefined)
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
      state.trackEvent(identifier, {
        name: item['name'],
        id: item['id'],
        timestamp: item['timestamp'],
        type: action,
        data: attributes,
      });
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
    default:
      // add_relationships / delete_relationships: accepted; relationships are not emulated yet.
      return;
  }
}

function applyObject(state: EmulatorState, item: Item): void {
  const identifiers = item['identifiers'] as Record<string, string>;
  const key =
    identifiers['cio_object_id'] ??
    `${identifiers['object_type_id'] ?? ''}:${identifiers['object_id'] ?? ''}`;
  if (item['action'] === 'delete') state.objects.delete(key);
  else if (item['action'] === 'identify' || item['action'] === 'identify_anonymous') {
    const attributes = { ...(state.objects.get(key) ?? {}) };
    for (const [name, value] of Object.entries((item['attributes'] ?? {}) as Record<string, unknown>)) {
      if (value === null || value === '') Reflect.deleteProperty(attributes, name);
      else attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    state.objects.set(key, attributes);
  }
}

export function registerTrackV2Routes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/api/v2/entity', async (request) => {
    try {
      applyEntity(state, request.body);
    } catch (error) {
      if (error instanceof ItemError)
        throw v2Error(400, [{ reason: error.reason, field: error.field, message: error.message }]);
      throw error;
    }
    return {};
  });

  app.post('/api/v2/batch', async (request, reply) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > V2_LIMITS.batchBytes) {
      throw v2Error(400, [
        {
          reason: 'too_large',
          field: 'batch',
          message: `the batch is ${length} bytes; at most ${V2_LIMITS.batchBytes}`,
        },
      ]);
    }
    const body = request.body as { batch?: unknown } | undefined;
    if (!Array.isArray(body?.batch))
      throw v2Error(400, [{ reason: 'required', field: 'batch', message: 'batch must be an array' }]);
    const errors: V2Error[] = [];
    body.batch.forEach((item, index) => {
      try {
        applyEntity(state, item);
      } catch (error) {
        if (!(error instanceof ItemError)) throw error;
        errors.push({ batch_index: index, reason: error.reason, field: error.field, message: error.message });
      }
    });
    if (errors.length > 0) return reply.code(207).send({ errors });
    return {};
  });
}
