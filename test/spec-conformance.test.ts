/**
 * Every request our operations send, validated against the official specs in
 * spec/customerio/ (method, path, path and query parameters, body).
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { listOperations } from '../src/operations/registry.js';
import { OpenApiSpec, specRequestOf } from './support/openapi.js';

/** The sends added after the July 2025 spec: not in it (customerio-api.md §3.7). */
const LATER_SENDS = new Set(['send_inbox_message', 'send_in_app_message', 'send_whatsapp_message']);

const specs = { track: new OpenApiSpec('track.json'), app: new OpenApiSpec('app-2025-07.json') };
const clients = {
  track: createClient({ connector: 'track', credentials: { siteId: 's', apiKey: 'k' } }),
  app: createClient({ connector: 'app', credentials: { apiKey: 'k' } }),
  beta: createClient({ connector: 'beta', credentials: { apiKey: 'k' } }),
};

function problems(connector: 'track' | 'app' | 'beta', id: string, input: unknown): string[] {
  const { request } = clients[connector].prepare(id, input);
  const spec = connector === 'track' ? specs.track : specs.app;
  return spec.check(specRequestOf(connector, request.url, request.method, request.body));
}

describe('requests conform to the official specs', () => {
  it('reads the specs the way the reference describes them', () => {
    expect(specs.track.operationCount).toBe(18);
    expect(specs.app.operationCount).toBe(113);
  });

  it('covers every operation of the specs, on the App and the Beta host alike', () => {
    const specOps = (connector: 'track' | 'app' | 'beta') =>
      listOperations(connector).filter(
        (op) => op.method !== 'ANY' && !LATER_SENDS.has(op.id.slice(connector.length + 1)),
      );
    expect(specOps('track')).toHaveLength(specs.track.operationCount);
    expect(specOps('app')).toHaveLength(specs.app.operationCount);
    expect(specOps('beta')).toHaveLength(specs.app.operationCount);
    // Each spec route is covered exactly once per connector.
    for (const [connector, spec] of [
      ['track', specs.track],
      ['app', specs.app],
    ] as const) {
      for (const route of spec.routes()) {
        const covering = specOps(connector).filter((op) => {
          const { request } = clients[connector].prepare(op.id, op.examples[0]?.input ?? {});
          const { method, path } = specRequestOf(connector, request.url, request.method, request.body);
          return route.matches(method, path);
        });
        expect(
          covering.map((op) => op.id),
          `${route.method} ${route.template}`,
        ).toHaveLength(1);
      }
    }
    process.stdout.write(
      `operations covered: track ${String(specOps('track').length)}/${String(specs.track.operationCount)}, app ${String(specOps('app').length)}/${String(specs.app.operationCount)}, beta ${String(specOps('beta').length)}\n`,
    );
  });

  const cases = listOperations()
    .filter((op) => !LATER_SENDS.has(op.id.slice(op.connector.length + 1)))
    .flatMap((op) => op.examples.map((example) => ({ op, example })));
  it.each(cases.map((c) => [`${c.op.id}: ${c.example.summary}`, c] as const))(
    '%s',
    (_name, { op, example }) => {
      expect(problems(op.connector, op.id, example.input)).toEqual([]);
    },
  );

  it('a create-or-update with every option', () => {
    expect(
      problems('track', 'track.create_or_update_customer', {
        identifier: 'cio_03000001',
        id: '42',
        email: 'ada@example.com',
        anonymous_id: 'anon-1',
        created_at: 1700000000,
        update_only: false,
        update_timestamp: 1700000001,
        unsubscribed: false,
        attributes: { plan: 'pro', seats: 3, vip: true },
        cio_subscription_preferences: { topics: { topic_1: true } },
        cio_relationships: {
          action: 'add_relationships',
          relationships: [
            {
              identifiers: { object_type_id: '1', object_id: 'acme' },
              relationship_attributes: { role: 'admin' },
            },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('events of every type, with and without an id', () => {
    for (const type of ['event', 'page'] as const) {
      expect(
        problems('track', 'track.track_custom_event', {
          identifier: '42',
          name: 'n',
          type,
          timestamp: 1700000000,
          data: { a: 1 },
        }),
      ).toEqual([]);
    }
    expect(
      problems('track', 'track.track_custom_event', {
        identifier: '42',
        name: 'n',
        id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      }),
    ).toEqual([]);
  });

  it('raw requests to documented App routes, on the App and Beta hosts', () => {
    for (const connector of ['app', 'beta'] as const) {
      const id = `${connector}.raw_http_request`;
      expect(
        problems(connector, id, {
          method: 'POST',
          endpoint: '/campaigns/1/triggers',
          body_type: 'json',
          body: { ids: ['1'], data: { a: 1 } },
        }),
      ).toEqual([]);
      expect(
        problems(connector, id, {
          method: 'GET',
          endpoint: '/customers',
          query_parameters: { email: 'a@example.com' },
        }),
      ).toEqual([]);
      expect(
        problems(connector, id, {
          method: 'POST',
          endpoint: '/send/email',
          body_type: 'json',
          body: { transactional_message_id: 7, to: 'a@example.com', identifiers: { id: '1' } },
        }),
      ).toEqual([]);
    }
  });

  it('the checker itself catches a request that does not conform', () => {
    expect(
      problems('track', 'track.raw_http_request', {
        method: 'POST',
        endpoint: '/v1/customers/1/events',
        body_type: 'json',
        body: { nme: 'x' },
      }),
    ).not.toEqual([]);
    expect(
      problems('track', 'track.raw_http_request', { method: 'PATCH', endpoint: '/v1/customers/1' }),
    ).toEqual(['PATCH is not defined for /api/v1/customers/{identifier}']);
    expect(
      problems('app', 'app.raw_http_request', {
        method: 'GET',
        endpoint: '/customers',
        query_parameters: { mail: 'x' },
      }),
    ).toEqual(['query parameter email is required', 'query parameter mail is not in the spec']);
  });
});
