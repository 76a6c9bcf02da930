import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../client.js';
import { AbortedError, ConfigError, TimeoutError, ValidationError } from '../errors.js';
import { Transport, type PreparedRequest } from './transport.js';

/** A loopback server: `/hang` never answers, everything else answers 200 `{}`. */
let server: Server;
let origin = '';
const received: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req);
    if (req.url?.startsWith('/hang') === true) return;
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

const transport = (connections = 2): Transport =>
  new Transport({
    connector: 'app',
    baseUrl: `${origin}/v1`,
    credentials: { apiKey: 'secret-app-key' },
    connections,
  });

/** Header values and names undici 7 refuses while building a request. */
const REFUSED: readonly Readonly<Record<string, string>>[] = [
  { 'x-bad': 'a\u000bb' },
  { 'x-bad': 'a\u007fb' },
  { 'x-bad': 'smile \u{1F600}' },
  { 'X-Bad Name': '1' },
  { 'X-é': '1' },
  { 'keep-alive': 'timeout=5' },
  { expect: '100-continue' },
  { 'transfer-encoding': 'chunked' },
];

function bad(headers: Readonly<Record<string, string>>): PreparedRequest {
  return { method: 'POST', url: `${origin}/v1/thing`, headers, body: '{}' };
}

describe('Transport: requests undici would refuse', () => {
  it('prepare refuses them with a ValidationError naming the header', () => {
    const t = transport();
    for (const headers of REFUSED) {
      const [name] = Object.keys(headers);
      expect(() =>
        t.prepare({ method: 'GET', path: '/x', query: {}, headers, body: { kind: 'none' } }),
      ).toThrow(ValidationError);
      try {
        t.prepare({ method: 'GET', path: '/x', query: {}, headers, body: { kind: 'none' } });
      } catch (error) {
        expect((error as ValidationError).issues[0]?.path).toBe(`/headers/${String(name).toLowerCase()}`);
      }
    }
  });

  it('a refusal that still reaches undici is a ValidationError, nothing is sent, and the pool is not wedged', async () => {
    const t = transport(2);
    try {
      for (let i = 0; i < 100; i++) {
        const headers = REFUSED[i % REFUSED.length] ?? {};
        const error = await t.attempt(bad(headers), { timeoutMs: 2_000 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).message).toMatch(/refused by the HTTP client before sending/);
      }
      expect(received).toHaveLength(0);
      // Still usable: calls settle, and timeouts and signals still work.
      const ok = await t.attempt(
        t.prepare({ method: 'GET', path: '/ok', query: {}, headers: {}, body: { kind: 'none' } }),
        {
          timeoutMs: 2_000,
        },
      );
      expect(ok.status).toBe(200);
      const hang: PreparedRequest = { method: 'GET', url: `${origin}/hang`, headers: {}, body: undefined };
      await expect(t.attempt(hang, { timeoutMs: 150 })).rejects.toBeInstanceOf(TimeoutError);
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 100);
      await expect(t.attempt(hang, { timeoutMs: 5_000, signal: controller.signal })).rejects.toBeInstanceOf(
        AbortedError,
      );
    } finally {
      await t.close();
    }
  });
});

describe('Client: raw requests with headers undici would refuse', () => {
  it('are ValidationErrors before sending, also in prepare (dry run), and the client stays usable after 100 of them', async () => {
    const client = createClient({
      connector: 'app',
      baseUrl: `${origin}/v1`,
      credentials: { apiKey: 'secret-app-key' },
      connections: 2,
      rateLimits: false,
    });
    try {
      for (let i = 0; i < 100; i++) {
        const headers = REFUSED[i % REFUSED.length] ?? {};
        const input = { method: 'POST', endpoint: '/thing', headers, body_type: 'json', body: {} } as const;
        expect(() => client.prepare('app.raw_http_request', input)).toThrow(ValidationError);
        const error = await client.run('app.raw_http_request', input).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).exitCode).toBe(2);
      }
      expect(received).toHaveLength(0);
      const ok = await client.run(
        'app.raw_http_request',
        { method: 'GET', endpoint: '/ok' },
        { timeoutMs: 2_000 },
      );
      expect(ok.status).toBe(200);
    } finally {
      await client.close();
    }
  });
});

describe('Client: a call after close', () => {
  it('is a ConfigError saying nothing was sent, never "may have been delivered"', async () => {
    const client = createClient({
      connector: 'app',
      baseUrl: `${origin}/v1`,
      credentials: { apiKey: 'secret-app-key' },
      rateLimits: false,
    });
    await client.close();
    const error = await client
      .run('app.raw_http_request', { method: 'POST', endpoint: '/thing', body_type: 'json', body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('the client is closed');
    expect(received).toHaveLength(0);
  });
});
