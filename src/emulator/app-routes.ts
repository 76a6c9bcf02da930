/**
 * App API routes, registered twice: under `/v1` (App host) and `/v1/api` (the legacy Beta host,
 * same routes and bodies, customerio-api.md §4).
 */
import type { FastifyInstance } from 'fastify';
import { objectBody } from './body.js';
import { appError, metaError } from './http-error.js';
import type { EmulatorState, Person } from './state.js';

export function registerAppRoutes(
  app: FastifyInstance,
  state: EmulatorState,
  prefix: '/v1' | '/v1/api',
): void {
  for (const kind of ['email', 'push', 'sms'] as const) {
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

  app.get(`${prefix}/workspaces`, async () => ({
    workspaces: [
      {
        id: state.workspace.environmentId,
        name: 'Emulator workspace',
        messages_sent: state.deliveries.length,
        billable_messages_sent: state.deliveries.filter((d) => d.kind === 'email').length,
        people: state.people.filter((p) => !p.suppressed).length,
        object_types: new Set([...state.objects.keys()].map((k) => k.split(':')[0])).size,
        objects: state.objects.size,
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
