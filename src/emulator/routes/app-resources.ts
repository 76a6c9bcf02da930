/**
 * Stateful App resources beyond people: broadcast trigger errors, messages (the deliveries the
 * emulator made), customer search with the filter grammar, reporting webhooks and snippets. Each
 * answer is the spec's sample shape with the real values laid over it, so it always has every
 * field the spec documents.
 */
import type { FastifyInstance } from 'fastify';
import { specOperationData } from '../../spec-data.js';
import { sampleOf } from '../../schema-sample.js';
import { appError, metaError } from '../model/errors.js';
import { matchesFilter, objectMatches } from '../model/filters.js';
import { ObjectStore, type ObjectRecord } from '../model/objects.js';
import type { Delivery, EmulatorState, Person } from '../model/workspace.js';
import { objectBody } from './body.js';
import { page } from './pagination.js';

type Node = Record<string, unknown>;

/** The sample of an operation's output at a path (`['messages', 0]`), as a template to fill. */
function template(opId: string, ...path: (string | number)[]): Node {
  const op = specOperationData('app').find((o) => o.id === opId);
  let value: unknown = sampleOf(op?.output ?? {});
  for (const step of path) value = (value as Record<string | number, unknown> | undefined)?.[step];
  return typeof value === 'object' && value !== null ? { ...(value as Node) } : {};
}

function messageView(delivery: Delivery): Node {
  const identifiers = {
    id: delivery.identifiers['id'] ?? null,
    email: delivery.identifiers['email'] ?? null,
    cio_id: delivery.identifiers['cio_id'] ?? '',
  };
  return {
    ...template('app.get_message', 'message'),
    id: delivery.delivery_id,
    deduplicate_id: `${delivery.delivery_id}:${String(delivery.queued_at)}`,
    customer_id: identifiers.id,
    customer_identifiers: identifiers,
    recipient: delivery.to ?? '',
    subject: delivery.subject ?? '',
    type:
      delivery.kind === 'sms'
        ? 'twilio'
        : delivery.kind === 'inbox_message' || delivery.kind === 'in_app'
          ? 'in_app'
          : delivery.kind,
    created: delivery.queued_at,
    transactional_message_id: delivery.transactional_message_id,
    campaign_id: null,
    newsletter_id: null,
    broadcast_id: null,
    action_id: null,
    failure_message: null,
    metrics: { sent: delivery.queued_at },
  };
}

export function registerAppResources(
  app: FastifyInstance,
  state: EmulatorState,
  prefix: '/v1' | '/v1/api',
): void {
  app.get<{
    Params: { broadcast_id: string; trigger_id: string };
    Querystring: { start?: string; limit?: string };
  }>(`${prefix}/campaigns/:broadcast_id/triggers/:trigger_id/errors`, async (request) => {
    const trigger = state.triggers.find(
      (t) =>
        t.broadcast_id === Number(request.params.broadcast_id) && t.id === Number(request.params.trigger_id),
    );
    if (trigger === undefined) throw appError(404, `trigger ${request.params.trigger_id} not found`);
    const { items, next } = page(trigger.errors, request.query.start, request.query.limit, {
      limit: 100,
      max: 1000,
    });
    return { errors: items, next };
  });

  app.get<{ Querystring: { start?: string; limit?: string; type?: string } }>(
    `${prefix}/messages`,
    async (request) => {
      const deliveries = [...state.deliveries]
        .reverse()
        .filter((d) => request.query.type === undefined || messageView(d)['type'] === request.query.type);
      const { items, next } = page(deliveries, request.query.start, request.query.limit, {
        limit: 50,
        max: 1000,
      });
      // `next` is not in the July 2025 schema, but the API sends it (customerio-api.md §3.3).
      return { messages: items.map(messageView), next };
    },
  );

  app.get<{ Params: { message_id: string } }>(`${prefix}/messages/:message_id`, async (request) => {
    const delivery = state.deliveries.find((d) => d.delivery_id === request.params.message_id);
    if (delivery === undefined) throw appError(404, `message ${request.params.message_id} not found`);
    return { message: messageView(delivery) };
  });

  app.post<{ Querystring: { start?: string; limit?: string } }>(`${prefix}/customers`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    if (body['filter'] === undefined) throw metaError(400, 'filter is required');
    const matching = state.people.filter((p) => !p.suppressed && matchesFilter(state, p, body['filter']));
    const { items, next } = page(matching, request.query.start, request.query.limit, {
      limit: 50,
      max: 1000,
    });
    return {
      identifiers: items.map((p) => ({ email: p.email, id: p.id, cio_id: p.cio_id })),
      ids: items.map((p) => p.id ?? ''),
      next,
    };
  });

  registerObjectRoutes(app, state, prefix);
  registerWebhooks(app, state, prefix);
  registerSnippets(app, state, prefix);
}

const WEBHOOK_FIELDS = ['name', 'endpoint', 'events', 'disabled', 'full_resolution', 'with_content'] as const;

function registerWebhooks(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  const check = (body: Node): Node => {
    const errors: string[] = [];
    if (typeof body['name'] !== 'string' || body['name'] === '') errors.push('name is required');
    if (typeof body['endpoint'] !== 'string' || !/^https?:\/\//.test(body['endpoint']))
      errors.push('endpoint must be an http(s) URL');
    if (!Array.isArray(body['events']) || body['events'].length === 0)
      errors.push('events must list at least one event');
    if (errors.length > 0) throw metaError(400, errors.join('; '));
    return Object.fromEntries(WEBHOOK_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
  };
  const find = (raw: string): Node => {
    const hook = state.webhooks.get(Number(raw));
    if (hook === undefined) throw appError(404, `reporting webhook ${raw} not found`);
    return hook;
  };
  app.get(`${prefix}/reporting_webhooks`, async () => ({ reporting_webhooks: [...state.webhooks.values()] }));
  app.post(`${prefix}/reporting_webhooks`, async (request) => {
    const fields = check(objectBody(request.body, (m) => metaError(400, m)));
    const id = Math.max(0, ...state.webhooks.keys()) + 1;
    const hook = { disabled: false, full_resolution: true, with_content: false, ...fields, id };
    state.webhooks.set(id, hook);
    return hook;
  });
  app.get<{ Params: { webhook_id: string } }>(`${prefix}/reporting_webhooks/:webhook_id`, async (request) =>
    find(request.params.webhook_id),
  );
  app.put<{ Params: { webhook_id: string } }>(`${prefix}/reporting_webhooks/:webhook_id`, async (request) => {
    const hook = find(request.params.webhook_id);
    const updated = {
      ...hook,
      ...check({ ...hook, ...objectBody(request.body, (m) => metaError(400, m)) }),
      id: hook['id'],
    };
    state.webhooks.set(Number(hook['id']), updated);
    return updated;
  });
  app.delete<{ Params: { webhook_id: string } }>(
    `${prefix}/reporting_webhooks/:webhook_id`,
    async (request) => {
      const hook = find(request.params.webhook_id);
      state.webhooks.delete(Number(hook['id']));
      return {};
    },
  );
}

function registerSnippets(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  app.get(`${prefix}/snippets`, async () => ({ snippets: [...state.snippets.values()] }));
  app.put(`${prefix}/snippets`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    if (typeof body['name'] !== 'string' || body['name'] === '' || typeof body['value'] !== 'string') {
      throw metaError(400, 'name and value are required strings');
    }
    const snippet = { name: body['name'], value: body['value'], updated_at: Math.floor(Date.now() / 1000) };
    state.snippets.set(snippet.name, snippet);
    return { snippet };
  });
  app.delete<{ Params: { snippet_name: string } }>(
    `${prefix}/snippets/:snippet_name`,
    async (request, reply) => {
      if (!state.snippets.delete(request.params.snippet_name))
        throw appError(404, `snippet ${request.params.snippet_name} not found`);
      return reply.code(204).send();
    },
  );
}

export function registerObjectRoutes(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  type ObjectParams = {
    Params: { object_type_id: string; object_id: string };
    Querystring: { id_type?: string; start?: string; limit?: string };
  };
  const find = (params: ObjectParams['Params'], idType: string | undefined): ObjectRecord => {
    const ref =
      idType === 'cio_object_id'
        ? { cio_object_id: params.object_id }
        : { object_type_id: params.object_type_id, object_id: params.object_id };
    const object = state.objects.find(ref);
    if (object === undefined)
      throw appError(404, `object ${params.object_type_id}/${params.object_id} not found`);
    return object;
  };
  app.get<ObjectParams>(`${prefix}/objects/:object_type_id/:object_id/attributes`, async (request) => {
    const object = find(request.params, request.query.id_type);
    return {
      object: {
        ...template('app.get_object_attributes', 'object'),
        attributes: { ...object.attributes },
        timestamps: { ...object.timestamps },
        identifiers: {
          ...template('app.get_object_attributes', 'object', 'identifiers'),
          object_id: object.object_id,
          cio_object_id: object.cio_object_id,
        },
      },
    };
  });
  app.get<ObjectParams>(`${prefix}/objects/:object_type_id/:object_id/relationships`, async (request) => {
    const object = find(request.params, request.query.id_type);
    const related = [
      ...(state.objects.relationships.get(ObjectStore.key(object.object_type_id, object.object_id)) ??
        new Map<string, Node>()),
    ];
    const people = related
      .map(([cioId]) => state.find('cio_id', cioId))
      .filter((p): p is Person => p !== undefined);
    const { items, next } = page(people, request.query.start, request.query.limit, { limit: 50, max: 1000 });
    return {
      cio_relationships: items.map((p) => ({
        identifiers: { cio_id: p.cio_id, id: p.id, email: p.email },
        object_type_id: object.object_type_id,
      })),
      next,
    };
  });
  app.get<{
    Params: { customer_id: string };
    Querystring: { start?: string; limit?: string; id_type?: string };
  }>(`${prefix}/customers/:customer_id/relationships`, async (request) => {
    const kind = request.query.id_type ?? 'id';
    const person = state.find(
      kind === 'email' || kind === 'cio_id' ? kind : 'id',
      request.params.customer_id.replace(/^cio_/, ''),
    );
    if (person === undefined || person.suppressed) throw appError(404, 'not found');
    const { items, next } = page(state.objects.of(person), request.query.start, request.query.limit, {
      limit: 50,
      max: 1000,
    });
    return {
      cio_relationships: items.map(({ object, attributes }) => ({
        object_type_id: Number(object.object_type_id),
        identifiers: { object_id: object.object_id, cio_object_id: object.cio_object_id },
        attributes,
      })),
      next,
    };
  });
  app.post<{ Querystring: { start?: string; limit?: string } }>(`${prefix}/objects`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    const typeId = body['object_type_id'];
    if (typeof typeId !== 'string' && typeof typeId !== 'number')
      throw metaError(400, 'object_type_id is required');
    if (body['filter'] === undefined) throw metaError(400, 'filter is required');
    const matching = [...state.objects.objects.values()].filter(
      (o) => o.object_type_id === String(typeId) && objectMatches(o, body['filter']),
    );
    const { items, next } = page(matching, request.query.start, request.query.limit, {
      limit: 50,
      max: 1000,
    });
    return {
      identifiers: items.map((o) => ({ object_id: o.object_id, cio_object_id: o.cio_object_id })),
      ids: items.map((o) => o.object_id),
      next,
    };
  });
}
