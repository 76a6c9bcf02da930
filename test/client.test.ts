import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import {
  ConfigError,
  ConnectionError,
  NotFoundError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  ValidationError,
} from '../src/errors.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const track = (apiKey: string = CREDENTIALS.track.apiKey, timeoutMs?: number, retry = true) =>
  createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { siteId: CREDENTIALS.track.siteId, apiKey },
    timeoutMs,
    ...(retry ? {} : { retry: false as const }),
  });
const app = (connector: 'app' | 'beta' = 'app') =>
  createClient({ connector, region: 'emulator', emulatorUrl: url, credentials: CREDENTIALS.app });

describe('Track seed operations against the emulator', () => {
  it('creates, updates and deletes a person', async () => {
    const client = track();
    await expect(
      client.createOrUpdateCustomer({
        identifier: '42',
        email: 'ada@example.com',
        attributes: { plan: 'pro', seats: 3, vip: true },
      }),
    ).resolves.toEqual({});
    await client.run('track.create_or_update_customer', {
      identifier: '42',
      attributes: { plan: 'team' },
      created_at: 1700000000,
    });
    const [person] = emulator.state.people;
    expect(person).toMatchObject({ id: '42', email: 'ada@example.com' });
    // Customer.io stores attributes as strings.
    expect(person?.attributes).toMatchObject({
      plan: 'team',
      seats: '3',
      vip: 'true',
      created_at: '1700000000',
    });
    await client.deleteCustomer({ identifier: '42' });
    expect(emulator.state.people).toHaveLength(0);
    await client.close();
  });

  it('sends the reserved options under their wire names', async () => {
    const client = track();
    await client.createOrUpdateCustomer({
      identifier: 'nobody@example.com',
      update_only: true,
      attributes: { plan: 'x' },
    });
    expect(emulator.state.people).toHaveLength(0); // `_update: true` never creates
    const prepared = client.prepare('track.create_or_update_customer', {
      identifier: 'cio_03000001',
      update_only: true,
      update_timestamp: 1700000001,
      unsubscribed: false,
    });
    expect(JSON.parse(prepared.request.body ?? '')).toEqual({
      _update: true,
      _timestamp: 1700000001,
      unsubscribed: false,
    });
    await client.close();
  });

  it('percent-encodes path identifiers and keeps @ readable', async () => {
    const client = track();
    expect(client.prepare('track.delete_customer', { identifier: 'cust 1/2' }).request.url).toBe(
      `${url}/api/v1/customers/cust%201%2F2`,
    );
    await client.createOrUpdateCustomer({ identifier: 'cust 1/2', attributes: { a: 'b' } });
    expect(emulator.state.people[0]?.id).toBe('cust 1/2');
    await client.close();
  });

  it('tracks an event with a generated ULID and stores a repeated id once', async () => {
    const client = track();
    const first = await client.trackCustomEvent({
      identifier: '42',
      name: 'purchase',
      data: { price: 23.45 },
    });
    expect(first.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    await client.trackCustomEvent({ identifier: '42', name: 'purchase', id: first.id });
    const second = await client.trackCustomEvent({ identifier: '42', name: 'purchase' });
    expect(second.id).not.toBe(first.id);
    expect(emulator.state.events.map((e) => e.id)).toEqual([first.id, second.id]);
    expect(emulator.state.events[0]).toMatchObject({
      name: 'purchase',
      customer_id: '42',
      data: { price: 23.45 },
      type: 'event',
    });
    await client.close();
  });

  it('refuses invalid input with every problem and sends nothing', async () => {
    const client = track();
    const error = await client
      .run('track.create_or_update_customer', { identifer: '42', created_at: 'yesterday' } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(
      expect.arrayContaining([
        { path: '/identifier', message: 'is required' },
        { path: '/identifer', message: 'is not a known field (did you mean "identifier"?)' },
        { path: '/created_at', message: 'must be an integer' },
      ]),
    );
    const tooLong = await client
      .trackCustomEvent({ identifier: 'x'.repeat(151), name: 'n'.repeat(101) })
      .catch((e: unknown) => e);
    expect((tooLong as ValidationError).issues.map((i) => i.path)).toEqual(['/identifier', '/name']);
    const reserved = await client
      .createOrUpdateCustomer({ identifier: '1', attributes: { email: 'x@example.com', _update: true } })
      .catch((e: unknown) => e);
    expect((reserved as ValidationError).issues.map((i) => i.message)).toEqual([
      'is reserved by Customer.io: use the "email" input instead',
      'is reserved by Customer.io: use the "update_only" input instead',
    ]);
    expect(emulator.requests).toHaveLength(0);
    await client.close();
  });

  it('maps a wrong key to UnauthorizedError without leaking it', async () => {
    const client = track('wrong-secret-key-123');
    const error = await client.deleteCustomer({ identifier: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    const text = JSON.stringify((error as UnauthorizedError).toJSON()) + String(error);
    expect(text).toContain('401');
    expect(text).not.toContain('wrong-secret-key-123');
    expect(text).not.toContain(
      Buffer.from(`${CREDENTIALS.track.siteId}:wrong-secret-key-123`).toString('base64'),
    );
    await client.close();
  });

  it('uses the API’s own error text', async () => {
    const client = track();
    const error = await client
      .run('track.raw_http_request', {
        method: 'POST',
        endpoint: '/v1/merge_customers',
        body_type: 'json',
        body: { primary: { id: 'nobody' }, secondary: { id: 'x' } },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('primary person not found');
    await client.close();
  });

  it('turns 5xx, timeouts and refused connections into their errors', async () => {
    // Error mapping of a single attempt (retries are covered in test/delivery.test.ts).
    const client = track(undefined, 300, false);
    emulator.faults.add({
      path: '/api/v1/customers/*',
      status: 503,
      body: { meta: { error: 'down for maintenance' } },
    });
    const server = await client.deleteCustomer({ identifier: '1' }).catch((e: unknown) => e);
    expect(server).toBeInstanceOf(ServerError);
    expect((server as ServerError).message).toContain('down for maintenance');

    emulator.faults.add({ path: '/api/v1/customers/1', delay_ms: 1000 });
    const started = Date.now();
    const timeout = await client.deleteCustomer({ identifier: '1' }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
    await client.close();

    const refused = createClient({
      connector: 'track',
      baseUrl: 'http://127.0.0.1:9/api',
      credentials: CREDENTIALS.track,
    });
    const connection = await refused.deleteCustomer({ identifier: '1' }).catch((e: unknown) => e);
    expect(connection).toBeInstanceOf(ConnectionError);
    expect((connection as ConnectionError).beforeSend).toBe(true);
    await refused.close();
  });

  it('honours an AbortSignal', async () => {
    const client = track();
    emulator.faults.add({ path: '/api/v1/customers/1', delay_ms: 2000 });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    const error = await client
      .deleteCustomer({ identifier: '1' }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortedError');
    await client.close();
  });
});

describe('Raw HTTP request (advanced)', () => {
  it('creates a broadcast trigger and reads it back through App and Beta', async () => {
    for (const connector of ['app', 'beta'] as const) {
      const client = app(connector);
      const created = await client.rawHttpRequest({
        method: 'POST',
        endpoint: '/campaigns/1/triggers',
        body_type: 'json',
        body: { data: { promo: 'x' } },
      });
      expect(created.status).toBe(200);
      const id = (created.body as { id: number }).id;
      const read = await client.rawHttpRequest({ method: 'GET', endpoint: `/campaigns/1/triggers/${id}` });
      expect(read.body).toMatchObject({ id, broadcast_id: 1 });
      expect(read.headers['content-type']).toContain('application/json');
      await client.close();
    }
    expect(emulator.requests.map((r) => r.path)).toEqual([
      '/v1/campaigns/1/triggers',
      '/v1/campaigns/1/triggers/1',
      '/v1/api/campaigns/1/triggers',
      '/v1/api/campaigns/1/triggers/2',
    ]);
  });

  it('sends query parameters, form bodies and raw bodies', async () => {
    const client = track();
    await client.createOrUpdateCustomer({ identifier: '7', email: 'Grace@Example.com' });
    const appClient = app();
    const found = await appClient.rawHttpRequest({
      method: 'GET',
      endpoint: '/customers',
      query_parameters: { email: 'grace@example.com' },
    });
    expect(found.body).toEqual({ results: [{ email: 'Grace@Example.com', id: '7', cio_id: '03000001' }] });
    const inline = await appClient.rawHttpRequest({
      method: 'GET',
      endpoint: '/customers?email=grace%40example.com',
    });
    expect(inline.body).toEqual(found.body);
    const form = client.prepare('track.raw_http_request', {
      method: 'POST',
      endpoint: '/v1/events',
      body_type: 'form_urlencoded',
      body: { name: 'a b', n: 1 },
    });
    expect(form.request.body).toBe('name=a+b&n=1');
    expect(form.request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const raw = client.prepare('track.raw_http_request', {
      method: 'POST',
      endpoint: '/v1/events',
      body_type: 'raw',
      body: '{"name":"x"}',
      content_type: 'application/json',
    });
    expect(raw.request.body).toBe('{"name":"x"}');
    await client.run('track.raw_http_request', {
      method: 'POST',
      endpoint: '/v1/events',
      body_type: 'raw',
      body: '{"name":"anon","anonymous_id":"a1"}',
      content_type: 'application/json',
    });
    expect(emulator.state.events).toMatchObject([{ name: 'anon', anonymous_id: 'a1', customer_id: null }]);
    await client.close();
    await appClient.close();
  });

  it('reports a 404 for an unknown route with the App error shape', async () => {
    const client = app();
    const error = await client
      .rawHttpRequest({ method: 'GET', endpoint: '/no/such/thing' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).body).toMatchObject({ errors: [{ status: '404' }] });
    await client.close();
  });

  const attacks = [
    'https://evil.example/steal',
    'http:/evil.example',
    '//evil.example/x',
    'evil.example/x',
    '/\\evil.example',
    '/v1/../../x',
    '/v1/./x',
    '/v1/%2e%2e/x',
    '/v1/%2E%2E/%2e%2E/x',
    '/v1/.%2e/x',
    '/v1/x%2f..%2fy',
    '/v1/x\r\nHost: evil.example',
    '/v1/x%0d%0aHost:%20evil',
    '/v1/x#frag',
    '/v1/%zz',
    '',
  ];
  it.each(attacks)('refuses the endpoint %j before sending', async (endpoint) => {
    const client = track();
    const error = await client.rawHttpRequest({ method: 'GET', endpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(emulator.requests).toHaveLength(0);
    await client.close();
  });

  it('refuses auth, host and framing headers, and CR/LF in values', () => {
    const client = track();
    for (const headers of [
      { Authorization: 'Basic x' },
      { host: 'evil.example' },
      { 'Content-Length': '1' },
      { 'x-a': 'a\r\nb: c' },
    ]) {
      expect(() =>
        client.prepare('track.raw_http_request', { method: 'GET', endpoint: '/v1/accounts/region', headers }),
      ).toThrow(ValidationError);
    }
    const ok = client.prepare('track.raw_http_request', {
      method: 'GET',
      endpoint: '/v1/customers/ada@example.com',
      headers: { 'X-Trace': 't1' },
    });
    expect(ok.request.url).toBe(`${url}/api/v1/customers/ada@example.com`);
    expect(ok.request.headers['x-trace']).toBe('t1');
    void client.close();
  });

  it('checks body_type against body', () => {
    const client = track();
    const cases: [Record<string, unknown>, string][] = [
      [{ body_type: 'none', body: { a: 1 } }, 'body_type is "none"'],
      [{ body_type: 'json' }, 'is required when body_type is "json"'],
      [{ body_type: 'raw', body: { a: 1 } }, 'must be a string'],
      [{ body_type: 'form_urlencoded', body: { a: { b: 1 } } }, 'must be an object of strings'],
      [{ body_type: 'json', body: {}, content_type: 'text/plain' }, 'applies only when body_type is "raw"'],
    ];
    for (const [extra, message] of cases) {
      expect(() =>
        client.prepare('track.raw_http_request', {
          method: 'POST',
          endpoint: '/v1/events',
          ...extra,
        } as never),
      ).toThrow(message);
    }
    void client.close();
  });

  it('a successful answer that echoes the key comes back redacted, in headers and body', async () => {
    const apiKey = 'sk_live_echo_me_back_0123456789';
    const siteId = 'site-echo-42';
    const basic = Buffer.from(`${siteId}:${apiKey}`).toString('base64');
    const echo = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.setHeader('x-echo-authorization', request.headers.authorization ?? '');
      response.setHeader('x-echo-key', apiKey);
      response.end(
        JSON.stringify({ headers: request.headers, key: apiKey, [apiKey]: 'as a key', nested: [{ basic }] }),
      );
    });
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${String((echo.address() as AddressInfo).port)}`;
    try {
      const clients = [
        createClient({ connector: 'app', baseUrl: `${base}/v1`, credentials: { apiKey }, retry: false }),
        createClient({
          connector: 'track',
          baseUrl: `${base}/api`,
          credentials: { siteId, apiKey },
          retry: false,
        }),
      ];
      for (const client of clients) {
        const answer = await client.runUntyped(`${client.connector}.raw_http_request`, {
          method: 'GET',
          endpoint: '/echo',
        });
        const text = JSON.stringify(answer);
        expect((answer as { status: number }).status).toBe(200);
        expect(text).not.toContain(apiKey);
        // The Basic form is a secret of the Track client (the App one knows no Site ID).
        if (client.connector === 'track') expect(text).not.toContain(basic);
        expect(text).toContain('[REDACTED]');
        expect(answer).toMatchObject({
          headers: { 'x-echo-key': '[REDACTED]' },
          body: { key: '[REDACTED]', '[REDACTED]': 'as a key' },
        });
        await client.close();
      }
    } finally {
      await new Promise((done) => echo.close(done));
    }
  });
});

describe('raw request headers', () => {
  it('keeps a header named __proto__ and refuses two that differ only in case', async () => {
    const client = app();
    const headers = JSON.parse('{"__proto__":"kept","x-b":"1"}') as Record<string, string>;
    const prepared = client.prepare('app.raw_http_request', { method: 'GET', endpoint: '/x', headers });
    expect(Object.getOwnPropertyDescriptor(prepared.request.headers, '__proto__')?.value).toBe('kept');
    expect(Object.getOwnPropertyDescriptor(prepared.printable.headers, '__proto__')?.value).toBe('kept');
    expect(prepared.request.headers['x-b']).toBe('1');
    for (const run of [
      () =>
        client.prepare('app.raw_http_request', {
          method: 'GET',
          endpoint: '/x',
          headers: { 'x-a': '1', 'X-A': '2' },
        }),
      () =>
        client.prepare('app.raw_http_request', {
          method: 'GET',
          endpoint: '/x',
          headers: { Accept: 'text/plain', accept: 'application/json' },
        }),
    ]) {
      expect(run).toThrow(ValidationError);
      expect(run).toThrow(/differ only in case/);
    }
    await client.close();
  });
});

describe('client configuration', () => {
  it('names what is missing from the credentials', () => {
    expect(() => createClient({ connector: 'track', credentials: { apiKey: 'k' } })).toThrow(
      /needs credentials\.siteId \(the Site ID\)\.$/,
    );
    expect(() => createClient({ connector: 'app', credentials: {} })).toThrow(ConfigError);
  });

  it('picks the base URL from the one region table and auth by connector', () => {
    const eu = createClient({ connector: 'beta', region: 'eu', credentials: { apiKey: 'k1234' } });
    const prepared = eu.prepare('beta.raw_http_request', { method: 'GET', endpoint: '/segments' });
    expect(prepared.request.url).toBe('https://beta-api-eu.customer.io/v1/api/segments');
    expect(prepared.request.headers['authorization']).toBe('Bearer k1234');
    expect(prepared.printable.headers['authorization']).toBe('Bearer [REDACTED]');
    void eu.close();
    // A Track client behind a proxy URL still uses Basic auth: auth never depends on the URL.
    const proxied = createClient({
      connector: 'track',
      baseUrl: 'https://proxy.internal/v1',
      credentials: CREDENTIALS.track,
    });
    expect(
      proxied.prepare('track.delete_customer', { identifier: '1' }).request.headers['authorization'],
    ).toMatch(/^Basic /);
    void proxied.close();
  });

  it('refuses an operation of another connector and a bad base URL', () => {
    const client = track();
    expect(() => client.prepare('app.raw_http_request', { method: 'GET', endpoint: '/x' })).toThrow(
      /belongs to the app connector/,
    );
    expect(() =>
      createClient({ connector: 'app', baseUrl: 'ftp://x', credentials: CREDENTIALS.app }),
    ).toThrow(ConfigError);
    void client.close();
  });
});
