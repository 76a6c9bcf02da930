/** The emulator over real HTTP: every Track v1 route of track.json, auth, error shapes, control API. */
import { describe, expect, it } from 'vitest';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { OpenApiSpec } from './support/openapi.js';

const { emulator, url } = await useEmulator();
const basic = `Basic ${Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64')}`;
const bearer = `Bearer ${CREDENTIALS.app.apiKey}`;

async function call(method: string, path: string, body?: unknown, authorization: string | null = basic) {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers['authorization'] = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

describe('Track v1 routes', () => {
  it('implements every Track v1 route of track.json', async () => {
    const spec = new OpenApiSpec('track.json');
    expect(spec.operationCount).toBe(18);
    const samples: [string, string, unknown][] = [
      ['GET', '/api/v1/accounts/region', undefined],
      ['PUT', '/api/v1/customers/1', { email: 'one@example.com' }],
      ['PUT', '/api/v1/customers/1/devices', { device: { id: 'tok', platform: 'android' } }],
      ['DELETE', '/api/v1/customers/1/devices/tok', undefined],
      ['POST', '/api/v1/customers/1/events', { name: 'e' }],
      ['POST', '/api/v1/events', { name: 'anon', anonymous_id: 'a' }],
      ['POST', '/api/v1/forms/signup/submit', { data: { email: 'form@example.com', name: 'F' } }],
      ['PUT', '/api/v1/customers/2', {}],
      ['POST', '/api/v1/merge_customers', { primary: { id: '1' }, secondary: { id: '2' } }],
      ['POST', '/api/v1/metrics', { delivery_id: 'd1', metric: 'opened' }],
      ['POST', '/api/v1/push/events', { delivery_id: 'd1', event: 'opened', device_id: 'tok' }],
      ['POST', '/api/v1/segments/3/add_customers', { ids: ['1'] }],
      ['POST', '/api/v1/segments/3/remove_customers', { ids: ['1'] }],
      ['POST', '/api/v1/customers/1/suppress', undefined],
      ['POST', '/api/v1/customers/1/unsuppress', undefined],
      ['DELETE', '/api/v1/customers/1', undefined],
    ];
    for (const [method, path, body] of samples) {
      const problems = spec.check({ method, path, query: new URLSearchParams(), body });
      expect(problems, `${method} ${path}`).toEqual([]);
      const result = await call(method, path, body);
      expect(result.status, `${method} ${path} → ${JSON.stringify(result.body)}`).toBe(
        path.includes('/forms/') ? 204 : 200,
      );
    }
    // The unauthenticated custom unsubscribe route, for a delivery the emulator made.
    const sent = await call(
      'POST',
      '/v1/send/email',
      { transactional_message_id: 7, to: 'u@example.com', identifiers: { email: 'form@example.com' } },
      bearer,
    );
    const deliveryId = (sent.body as { delivery_id: string }).delivery_id;
    expect((await call('POST', `/unsubscribe/${deliveryId}`, { unsubscribe: true }, null)).status).toBe(200);
    expect(emulator.state.find('email', 'form@example.com')?.attributes['unsubscribed']).toBe('true');
    expect((await call('POST', '/unsubscribe/unknown', { unsubscribe: true }, null)).status).toBe(400);
    const exercised: [string, string][] = [
      ...samples.map(([m, p]): [string, string] => [m, p]),
      ['POST', `/unsubscribe/${deliveryId}`],
    ];
    const v1Routes = spec.routes().filter((r) => !r.template.startsWith('/api/v2/'));
    expect(v1Routes).toHaveLength(16);
    for (const route of v1Routes) {
      expect(
        exercised.some(([m, p]) => route.matches(m, p)),
        `${route.method} ${route.template}`,
      ).toBe(true);
    }
  });

  it('answers Track success as 200 {} with the recorded headers', async () => {
    const result = await call('PUT', '/api/v1/customers/1', {});
    expect(result).toMatchObject({ status: 200, body: {} });
    expect(result.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(result.headers.get('cache-control')).toContain('no-store');
  });

  it('uses the documented error shapes', async () => {
    expect(await call('POST', '/api/v1/customers/1/events', { data: {} })).toMatchObject({
      status: 400,
      body: { meta: { errors: ['name is required'] } },
    });
    expect(await call('POST', '/api/v1/merge_customers', { primary: { id: '1' } })).toMatchObject({
      status: 400,
      body: { meta: { error: 'secondary is required' } },
    });
    expect(
      await call('PUT', '/api/v1/customers/1/devices', { device: { id: 'x', platform: 'web' } }),
    ).toMatchObject({
      status: 400,
      body: { meta: { errors: ['device.platform must be ios or android'] } },
    });
    const badJson = await fetch(`${url}/api/v1/customers/1`, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ meta: { errors: ['the request body is not valid JSON'] } });
    const missing = await call('GET', '/v1/nothing/here', undefined, bearer);
    expect(missing.status).toBe(404);
    expect((missing.body as { errors: { detail: string; status: string }[] }).errors[0]).toMatchObject({
      status: '404',
    });
    expect((missing.body as { errors: { detail: string }[] }).errors[0]?.detail).toMatch(
      /reference [0-9A-Z]{26}\)$/,
    );
  });

  it('authenticates each API with its own scheme', async () => {
    expect((await call('PUT', '/api/v1/customers/1', {}, null)).status).toBe(401);
    expect((await call('PUT', '/api/v1/customers/1', {}, bearer)).status).toBe(401);
    expect((await call('GET', '/v1/customers?email=a@example.com', undefined, basic)).status).toBe(401);
    expect((await call('GET', '/v1/api/customers?email=a@example.com', undefined, bearer)).status).toBe(200);
    expect(emulator.state.people).toEqual([]);
  });
});

describe('App routes', () => {
  it('validates transactional sends with {meta:{error}}', async () => {
    expect(
      await call('POST', '/v1/send/email', { to: 'a@example.com', identifiers: { id: '1' } }, bearer),
    ).toMatchObject({
      status: 400,
      body: { meta: { error: 'without transactional_message_id, body, subject, from are required' } },
    });
    expect(
      await call(
        'POST',
        '/v1/send/email',
        { transactional_message_id: 999, to: 'a@example.com', identifiers: { id: '1' } },
        bearer,
      ),
    ).toMatchObject({ status: 400 });
    const byTriggerName = await call(
      'POST',
      '/v1/send/email',
      { transactional_message_id: 'WELCOME', to: 'a@example.com', identifiers: { id: '1' } },
      bearer,
    );
    expect(byTriggerName.status).toBe(200);
    const tooMany = Array.from({ length: 16 }, (_, i) => `r${i}@example.com`).join(',');
    expect(
      (
        await call(
          'POST',
          '/v1/send/email',
          { transactional_message_id: 7, to: tooMany, identifiers: { id: '1' } },
          bearer,
        )
      ).status,
    ).toBe(400);
  });

  it('reports missing broadcast recipients through the trigger, and 404s an unknown broadcast', async () => {
    const trigger = await call('POST', '/v1/campaigns/1/triggers', { ids: ['ghost'] }, bearer);
    expect(trigger.status).toBe(200);
    expect(emulator.state.triggers.find((t) => t.broadcast_id === 1)?.errors).toEqual([
      'line 1: customer with id ghost not found',
    ]);
    expect((await call('POST', '/v1/campaigns/99/triggers', {}, bearer)).status).toBe(404);
    expect(
      await call('POST', '/v1/campaigns/1/triggers', { ids: ['a'], emails: ['b'] }, bearer),
    ).toMatchObject({ status: 422 });
  });

  it('returns customer attributes as strings, by id, email or cio_id', async () => {
    await call('PUT', '/api/v1/customers/9', { email: 'nine@example.com', age: 30 });
    for (const [path, query] of [
      ['9', ''],
      ['nine@example.com', '?id_type=email'],
      ['cio_03000001', '?id_type=cio_id'],
    ]) {
      const result = await call(
        'GET',
        `/v1/customers/${encodeURIComponent(path ?? '')}/attributes${query ?? ''}`,
        undefined,
        bearer,
      );
      expect(result.body).toMatchObject({
        customer: {
          id: '9',
          identifiers: { id: '9', email: 'nine@example.com', cio_id: '03000001' },
          attributes: { age: '30' },
          unsubscribed: false,
          devices: [],
        },
      });
    }
    expect((await call('GET', '/v1/customers/404/attributes', undefined, bearer)).status).toBe(404);
  });
});

describe('control API', () => {
  it('injects faults with headers, bodies, delays and drops, and logs requests without secrets', async () => {
    const created = await fetch(`${url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'PUT',
        path: '/api/v1/customers/*',
        status: 429,
        headers: { 'retry-after': '1' },
        times: 1,
      }),
    });
    expect(created.status).toBe(201);
    const limited = await call('PUT', '/api/v1/customers/1', {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await call('PUT', '/api/v1/customers/1', {})).status).toBe(200);

    emulator.faults.add({ path: '/api/v1/customers/2', drop: true });
    await expect(call('PUT', '/api/v1/customers/2', { plan: 'x' })).rejects.toThrow();
    expect(emulator.state.find('id', '2')).toBeUndefined();

    const invalid = await fetch(`${url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"x"}',
    });
    expect(invalid.status).toBe(400);
    for (const fault of [
      { status: 500, headers: { 'x-a': 'one\r\nset-cookie: x' } },
      { status: 500, headers: { 'a b': 'x' } },
      { status: 101 },
      { status: 304, body: 'x' },
    ]) {
      const refused = await fetch(`${url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      expect(refused.status).toBe(400);
      const answer = (await refused.json()) as { error: { message: string; problems: string[] } };
      expect(answer.error.problems.join(' ')).toMatch(/header|status|body/);
    }
    expect(emulator.faults.list()).toEqual([]);

    const log = (await (await fetch(`${url}/__emulator/requests`)).json()) as {
      requests: { method: string; path: string; status: number; at: number }[];
    };
    expect(log.requests.slice(0, 3)).toMatchObject([
      { method: 'PUT', path: '/api/v1/customers/1', status: 429 },
      { method: 'PUT', path: '/api/v1/customers/1', status: 200 },
      { method: 'PUT', path: '/api/v1/customers/2', status: 0 },
    ]);
    expect(typeof log.requests[0]?.at).toBe('number');
    expect(JSON.stringify(log)).not.toContain(CREDENTIALS.track.apiKey);

    expect(await (await fetch(`${url}/__emulator/reset`, { method: 'POST' })).json()).toEqual({ ok: true });
    expect(
      ((await (await fetch(`${url}/__emulator/people`)).json()) as { people: unknown[] }).people,
    ).toEqual([]);
    expect(await (await fetch(`${url}/__emulator/health`)).json()).toEqual({ ok: true });
  });

  it('reports the workspace region', async () => {
    expect((await call('GET', '/api/v1/accounts/region')).body).toEqual({
      url: 'https://track.customer.io',
      region: 'us',
      environment_id: 1,
    });
  });
});
