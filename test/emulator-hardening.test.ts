/**
 * The emulator against hostile requests: path tricks that must not skip authentication, limits or
 * faults; an internal header a client cannot use; pathological fault patterns, bodies nested
 * thousands deep, and clients that dribble their bytes.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../src/emulator/index.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { rawRequest } from './support/raw-http.js';

const { emulator, url } = await useEmulator();
const port = Number(new URL(url).port);
const basic = `Basic ${Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64')}`;
const bearer = `Bearer ${CREDENTIALS.app.apiKey}`;

const EMAIL = JSON.stringify({
  transactional_message_id: 7,
  identifiers: { id: 'u1' },
  to: 'u1@example.com',
});

/** Targets that name (or may be read as) an authenticated route in some non-canonical way. */
const READ_TRICKS = [
  '/%761/workspaces',
  '/v%31/workspaces',
  '/%76%31/workspaces',
  '/v1/%77orkspaces',
  '/%76%31/%6Dessages',
  '/%761/api/workspaces',
  'http://x/v1/workspaces',
  'HTTP://x/v1/workspaces',
  'http://x/%761/workspaces',
  'http://user@x/v1/workspaces',
  'https://x:1/v1/workspaces',
  '//v1/workspaces',
  '/v1//workspaces',
  '/./v1/workspaces',
  '/v1/./workspaces',
  '/x/../v1/workspaces',
  '/v1/workspaces.',
  '/v1/workspaces/',
  '/V1/workspaces',
  '/v1/WORKSPACES',
  '/%2e/v1/workspaces',
  '/v1%2Fworkspaces',
  '/v1%2fworkspaces',
  '/v1/workspaces;x',
  '/v1/workspaces%00',
  '/v1/workspaces%20',
  '/v1/workspaces?x=/__emulator/health',
  '/v1/workspaces#frag',
  '/__emulator/../v1/workspaces',
  '/__emulator/%2e%2e/v1/workspaces',
  '/%5F%5Femulator/../v1/workspaces',
  '/__emulator/downloads/..%2F..%2Fv1%2Fworkspaces',
  '/unsubscribe/../v1/workspaces',
  '/api/v1/push/../../../v1/workspaces',
  '/%61pi/v1/accounts/region',
  '/api/%761/accounts/region',
  'http://x/api/v1/accounts/region',
  '/api/v1/accounts/region/',
  '/API/v1/accounts/region',
  '/v1/messages',
  '/%761/messages',
  '/v1/messages/emu-email-000001',
  '/%761/messages/emu-email-000001',
  '/v1/customers/u1/attributes',
  '/%761/customers/u1/attributes',
  '/v1/customers/u1%2Fattributes',
  '/v1/api/customers/u1/attributes',
  '/v1/%61pi/customers/u1/attributes',
];

const WRITE_TRICKS: [string, string, string][] = [
  ['POST', '/%761/send/email', EMAIL],
  ['POST', '/v%31/send/email', EMAIL],
  ['POST', '/v1/%73end/email', EMAIL],
  ['POST', 'http://x/v1/send/email', EMAIL],
  ['POST', 'http://x/%761/api/send/email', EMAIL],
  ['POST', '//v1/send/email', EMAIL],
  ['POST', '/v1/send/email/', EMAIL],
  ['POST', '/./v1/send/email', EMAIL],
  ['POST', '/v1/send/email;', EMAIL],
  ['POST', '/v1/send%2Femail', EMAIL],
  ['PUT', '/%61pi/v1/customers/u9', '{"plan":"x"}'],
  ['PUT', '/api/%761/customers/u9', '{"plan":"x"}'],
  ['PUT', 'http://x/api/v1/customers/u9', '{"plan":"x"}'],
  ['POST', '/%61pi/v1/customers/u1/events', '{"name":"e"}'],
  ['POST', '/api/v2/%65ntity', '{"type":"person","identifiers":{"id":"u9"},"action":"identify"}'],
  ['DELETE', '/%61pi/v1/customers/u1', ''],
  ['POST', '/%761/campaigns/1/triggers', '{}'],
];

/** A person and a delivery, so reads and deletes have something to leak or remove. */
async function seed(): Promise<void> {
  emulator.state.identify('u1', { email: 'u1@example.com' });
  emulator.state.send('email', JSON.parse(EMAIL) as Record<string, unknown>);
}

describe('non-canonical request targets', () => {
  it.each(READ_TRICKS)('GET %s without credentials is never answered with data', async (target) => {
    await seed();
    const answer = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1`);
    expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
    expect(answer.body).not.toContain('u1@example.com');
    expect(answer.body).not.toContain('Emulator workspace');
  });

  it.each(WRITE_TRICKS)('%s %s without credentials changes nothing', async (method, target, body) => {
    await seed();
    const before = JSON.stringify([emulator.state.people, emulator.state.events, emulator.state.deliveries]);
    const answer = await rawRequest(
      port,
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json`,
      body,
    );
    expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify([emulator.state.people, emulator.state.events, emulator.state.deliveries])).toBe(
      before,
    );
    expect(emulator.state.triggers.filter((t) => t.broadcast_id === 1)).toEqual([]);
  });

  it('classifies a routed trick by the route it reached: auth, the log and faults apply', async () => {
    const withKey = await rawRequest(
      port,
      `GET /%761/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}`,
    );
    expect(withKey.status).toBe(200);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/workspaces', status: 200 });
    emulator.faults.add({ path: '/v1/send/*', status: 503 });
    const faulted = await rawRequest(
      port,
      `POST /%761/send/email HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\nContent-Type: application/json`,
      EMAIL,
    );
    expect(faulted.status).toBe(503);
    expect(emulator.state.deliveries).toEqual([]);
    const region = await rawRequest(
      port,
      `GET /%61pi/v1/accounts/region HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}`,
    );
    expect(region.status).toBe(200);
  });

  it('rate-limits a trick with its family', async () => {
    emulator.rateLimiter.limits = { app: 1 };
    try {
      const first = await rawRequest(
        port,
        `GET /v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}`,
      );
      const second = await rawRequest(
        port,
        `GET /%761/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}`,
      );
      expect([first.status, second.status]).toEqual([200, 429]);
    } finally {
      emulator.rateLimiter.limits = {};
    }
  });

  it('holds an absolute-form target to the region its authority names', async () => {
    const eu = await rawRequest(
      port,
      `GET http://api-eu.customer.io/v1/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer}`,
    );
    expect(eu.status).toBe(401);
    const us = await rawRequest(
      port,
      `GET http://api.customer.io/v1/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer}`,
    );
    expect(us.status).toBe(200);
  });
});

describe('the internal replay header', () => {
  it('gives a client that sends it the normal treatment: auth, faults, limits and the log', async () => {
    const header = 'x-cioc-emulator-replay: 1';
    const unauthenticated = await rawRequest(port, `GET /v1/workspaces HTTP/1.1\r\nHost: x\r\n${header}`);
    expect(unauthenticated.status).toBe(401);
    emulator.faults.add({ path: '/v1/workspaces', status: 503 });
    const faulted = await rawRequest(
      port,
      `GET /v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\n${header}`,
    );
    expect(faulted.status).toBe(503);
    emulator.rateLimiter.limits = { app: 1 };
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 2; i += 1) {
        const answer = await rawRequest(
          port,
          `GET /v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\n${header}`,
        );
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([200, 429]);
    } finally {
      emulator.rateLimiter.limits = {};
    }
    expect(emulator.requests.map((r) => r.status)).toEqual([401, 503, 200, 429]);
  });

  it('still lets the emulator replay a request for drop: "after_processing"', async () => {
    emulator.faults.add({ path: '/v1/send/email', drop: 'after_processing' });
    const answer = await rawRequest(
      port,
      `POST /v1/send/email HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\nContent-Type: application/json`,
      EMAIL,
    );
    expect(answer.status).toBe(0);
    expect(emulator.state.deliveries).toHaveLength(1);
    expect(emulator.requests).toHaveLength(1);
  });
});

describe('pathological inputs', () => {
  it('matches a fault pattern full of wildcards in linear time', async () => {
    emulator.faults.add({ path: `/v1/${'*'.repeat(10)}x`, status: 503 });
    const started = performance.now();
    const answer = await rawRequest(
      port,
      `GET /v1/${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answer.status).toBe(404);
  });

  it('answers a body nested 10 000 deep with 400 in the family shape, not 500', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const trigger = await rawRequest(
      port,
      `POST /v1/campaigns/1/triggers HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\nContent-Type: application/json`,
      `{"data":${deep}}`,
    );
    expect(trigger.status).toBe(400);
    expect(JSON.parse(trigger.body)).toMatchObject({ errors: [{ status: '400' }] });
    const identify = await rawRequest(
      port,
      `PUT /api/v1/customers/u1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}\r\nContent-Type: application/json`,
      `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    );
    expect(identify.status).toBe(400);
    expect(JSON.parse(identify.body)).toMatchObject({
      meta: { errors: [expect.stringContaining('nested')] },
    });
  });

  it('accepts a body nested to the cap, and brackets inside strings do not count', async () => {
    const answer = await rawRequest(
      port,
      `PUT /api/v1/customers/u1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}\r\nContent-Type: application/json`,
      JSON.stringify({
        note: '{'.repeat(1000),
        nested: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown,
      }),
    );
    expect(answer.status, answer.body).toBe(200);
  });
});

describe('slow clients', () => {
  const slow = createEmulator({ timeouts: { headersMs: 300, requestMs: 600 } });
  const slowPort = slow.listen().then((origin) => Number(new URL(origin).port));
  afterAll(async () => {
    await slow.close();
  });

  /** Writes `head` then one more byte every 50 ms; resolves with how long the server kept it open. */
  async function dribble(head: string, byte: string): Promise<number> {
    const socket = net.connect(await slowPort, '127.0.0.1');
    const started = performance.now();
    socket.write(head);
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(byte);
    }, 50);
    socket.on('error', () => undefined);
    socket.resume();
    const closed = new Promise<number>((resolve) =>
      socket.on('close', () => {
        resolve(performance.now() - started);
      }),
    );
    const gaveUp = new Promise<number>((resolve) =>
      setTimeout(() => {
        resolve(Number.POSITIVE_INFINITY);
      }, 5000),
    );
    const held = await Promise.race([closed, gaveUp]);
    clearInterval(timer);
    socket.destroy();
    return held;
  }

  it('does not time a slow answer: a delay_ms fault longer than the request timeout still answers', async () => {
    slow.faults.add({ path: '/v1/workspaces', delay_ms: 1200 });
    const answer = await rawRequest(
      await slowPort,
      `GET /v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}`,
    );
    expect(answer.status).toBe(200);
  });

  it('answers 408 to a connection whose headers never end, and closes it', async () => {
    const socket = net.connect(await slowPort, '127.0.0.1');
    socket.write('GET /v1/workspaces HTTP/1.1\r\nHost: x\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose headers never end', async () => {
    const held = await dribble('GET /v1/workspaces HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a');
    expect(held).toBeLessThan(2000);
  });

  it('closes a connection whose body never ends', async () => {
    const held = await dribble(
      `PUT /api/v1/customers/u1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":"`,
      'a',
    );
    expect(held).toBeLessThan(2000);
  });
});
