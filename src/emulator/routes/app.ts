/**
 * App API routes, registered twice: under `/v1` (App host) and `/v1/api` (the legacy Beta host,
 * same routes and bodies, customerio-api.md §4).
 */
import type { FastifyInstance } from 'fastify';
import { appError, metaError } from '../model/errors.js';
import type { EmulatorState, Person, SegmentDef } from '../model/workspace.js';
import { registerCollections, registerExports } from './app-exports.js';
import { registerAppResources } from './app-resources.js';
import { objectBody } from './body.js';
import { decodeCursor, encodeCursor } from './pagination.js';

export function registerAppRoutes(
  app: FastifyInstance,
  state: EmulatorState,
  prefix: '/v1' | '/v1/api',
): void {
  // `whatsapp` is not in the July 2025 spec (UNCONFIRMED: from the official Ruby client, 2026).
  for (const kind of ['email', 'push', 'sms', 'inbox_message', 'in_app', 'whatsapp'] as const) {
    app.post(`${prefix}/send/${kind}`, async (request) => {
      const delivery = state.send(
        kind,
        objectBody(request.body, (m) => metaError(400, m)),
      );
      return { delivery_id: delivery.delivery_id, queued_at: delivery.queued_at };
    });
  }

  app.post<{ Params: { broadcast_id: string } }>(
    `${prefix}/campaigns/:broadcast_id/triggers`,
    async (request) => {
      const broadcastId = Number(request.params.broadcast_id);
      if (!Number.isInteger(broadcastId) || state.broadcast(broadcastId) === undefined) {
        throw appError(404, `broadcast ${request.params.broadcast_id} not found`);
      }
      const body = objectBody(request.body ?? {}, (m) => appError(422, m, '/'));
      const recipientKeys = ['recipients', 'emails', 'ids', 'per_user_data', 'data_file_url'].filter(
        (k) => body[k] !== undefined,
      );
      if (recipientKeys.length > 1) {
        throw appError(
          422,
          `only one of ${recipientKeys.join(', ')} may be given`,
          `/${recipientKeys[1] ?? ''}`,
        );
      }
      for (const key of ['emails', 'ids', 'per_user_data']) {
        const list = body[key];
        if (list !== undefined && (!Array.isArray(list) || list.length > 10_000)) {
          throw appError(422, `${key} must be an array of at most 10000 items`, `/${key}`);
        }
      }
      if (body['data'] !== undefined && Buffer.byteLength(JSON.stringify(body['data'])) > 50_000) {
        throw appError(422, 'data must be at most 50000 bytes', '/data');
      }
      const trigger = state.triggerBroadcast(broadcastId, body);
      return { id: trigger.id };
    },
  );

  app.get<{ Params: { broadcast_id: string; trigger_id: string } }>(
    `${prefix}/campaigns/:broadcast_id/triggers/:trigger_id`,
    async (request) => {
      const trigger = state.triggers.find(
        (t) =>
          t.broadcast_id === Number(request.params.broadcast_id) &&
          t.id === Number(request.params.trigger_id),
      );
      if (trigger === undefined) throw appError(404, `trigger ${request.params.trigger_id} not found`);
      return {
        id: trigger.id,
        broadcast_id: trigger.broadcast_id,
        created_at: trigger.created_at,
        processed_at: trigger.processed_at,
      };
    },
  );

  registerSegmentRoutes(app, state, prefix);
  registerAppResources(app, state, prefix);
  registerExports(app, state, prefix);
  registerCollections(app, state, prefix);

  app.get(`${prefix}/workspaces`, async () => ({
    workspaces: [
      {
        id: state.workspace.environmentId,
        name: 'Emulator workspace',
        messages_sent: state.deliveries.length,
        billable_messages_sent: state.deliveries.filter((d) => d.kind === 'email').length,
        people: state.people.filter((p) => !p.suppressed).length,
        object_types: new Set([...state.objects.objects.values()].map((o) => o.object_type_id)).size,
        objects: state.objects.objects.size,
      },
    ],
  }));

  app.get<{ Querystring: { email?: string } }>(`${prefix}/customers`, async (request) => {
    const email = request.query.email;
    if (email === undefined || email === '') throw metaError(400, 'email is required');
    const lower = email.toLowerCase();
    const results = state.people
      .filter((p) => !p.suppressed && p.email?.toLowerCase() === lower)
      .map((p) => ({ email: p.email, id: p.id, cio_id: p.cio_id }));
    return { results };
  });

  app.get<{ Params: { customer_id: string }; Querystring: { id_type?: string } }>(
    `${prefix}/customers/:customer_id/attributes`,
    async (request) => {
      const person = findByIdType(state, request.params.customer_id, request.query.id_type);
      return { customer: customerView(person) };
    },
  );
}

/** App API `customer_id` + `id_type` lookup (§2.3); a missing person is the App 404 shape. */
function findByIdType(state: EmulatorState, customerId: string, idType: string | undefined): Person {
  const kind = idType ?? 'id';
  if (kind !== 'id' && kind !== 'email' && kind !== 'cio_id') {
    throw metaError(400, 'id_type must be id, email or cio_id');
  }
  const value = kind === 'cio_id' ? customerId.replace(/^cio_/, '') : customerId;
  const person = state.find(kind, value);
  if (person === undefined || person.suppressed) throw appError(404, 'not found');
  return person;
}

function customerView(person: Person): Record<string, unknown> {
  return {
    id: person.id,
    identifiers: { id: person.id, email: person.email, cio_id: person.cio_id },
    attributes: { ...person.attributes },
    timestamps: { ...person.timestamps },
    unsubscribed: person.attributes['unsubscribed'] === 'true',
    devices: person.devices.map((d) => ({
      id: d.id,
      platform: d.platform,
      last_used: d.last_used ?? null,
      attributes: { ...d.attributes },
    })),
  };
}

const MEMBERSHIP_LIMIT = { default: 1000, max: 30_000 } as const;

function segmentView(segment: SegmentDef): Record<string, unknown> {
  return {
    id: segment.id,
    deduplicate_id: `${String(segment.id)}:${String(segment.created)}`,
    name: segment.name,
    description: segment.description,
    state: 'finished',
    progress: null,
    type: 'manual',
    tags: [],
  };
}

/** Manual segments: create, list, get, delete, count and paginated membership (§3.3, §3.5). */
function registerSegmentRoutes(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  const segmentOr404 = (raw: string): SegmentDef => {
    const segment = state.segmentDefs.get(Number(raw));
    if (segment === undefined) throw appError(404, `segment ${raw} not found`);
    return segment;
  };
  app.get(`${prefix}/segments`, async () => ({ segments: [...state.segmentDefs.values()].map(segmentView) }));
  app.post(`${prefix}/segments`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    const segment = body['segment'] as Record<string, unknown> | undefined;
    if (typeof segment?.['name'] !== 'string' || segment['name'].trim() === '')
      throw metaError(400, 'segment.name is required');
    const id = Math.max(0, ...state.segmentDefs.keys()) + 1;
    const created: SegmentDef = {
      id,
      name: segment['name'],
      description: typeof segment['description'] === 'string' ? segment['description'] : '',
      created: Math.floor(Date.now() / 1000),
    };
    state.segmentDefs.set(id, created);
    return { segment: segmentView(created) };
  });
  app.get<{ Params: { segment_id: string } }>(`${prefix}/segments/:segment_id`, async (request) => ({
    segment: segmentView(segmentOr404(request.params.segment_id)),
  }));
  app.delete<{ Params: { segment_id: string } }>(`${prefix}/segments/:segment_id`, async (request, reply) => {
    const segment = segmentOr404(request.params.segment_id);
    state.segmentDefs.delete(segment.id);
    state.segments.delete(segment.id);
    return reply.code(204).send();
  });
  app.get<{ Params: { segment_id: string } }>(
    `${prefix}/segments/:segment_id/customer_count`,
    async (request) => {
      const segment = segmentOr404(request.params.segment_id);
      return { count: state.segments.get(segment.id)?.size ?? 0 };
    },
  );
  app.get<{ Params: { segment_id: string }; Querystring: { start?: string; limit?: string } }>(
    `${prefix}/segments/:segment_id/membership`,
    async (request) => {
      const segment = segmentOr404(request.params.segment_id);
      const limit =
        request.query.limit === undefined ? MEMBERSHIP_LIMIT.default : Number(request.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MEMBERSHIP_LIMIT.max) {
        throw metaError(400, `limit must be an integer from 1 to ${String(MEMBERSHIP_LIMIT.max)}`);
      }
      const offset = decodeCursor(request.query.start);
      if (offset === undefined) throw metaError(400, 'start is not a cursor this API returned');
      const members = [...(state.segments.get(segment.id) ?? [])]
        .map((cioId) => state.find('cio_id', cioId))
        .filter((p): p is Person => p !== undefined);
      const page = members.slice(offset, offset + limit);
      return {
        identifiers: page.map((p) => ({ id: p.id, email: p.email, cio_id: p.cio_id })),
        ids: page.map((p) => p.id ?? p.cio_id),
        next: offset + limit < members.length ? encodeCursor(offset + limit) : '',
      };
    },
  );
}
