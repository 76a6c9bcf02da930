/**
 * Printing any object the library hands out — a client, what it prepares, its transport and
 * redactor, the errors it throws — never shows a credential, in any of the forms it is sent in.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONNECTORS, createClient, type Client } from '../src/index.js';
import { Redactor } from '../src/redact.js';
import { AuthStore } from '../src/store/auth-store.js';
import { decodeMasterKey } from '../src/store/secret-box.js';
import { Transport } from '../src/transport/transport.js';
import { useEmulator } from './support/emulator.js';

const SITE_ID = 'site-0123456789';
const API_KEY = 'sk_live_print_me_never_42';
const FORMS = [
  API_KEY,
  encodeURIComponent(API_KEY),
  Buffer.from(API_KEY).toString('base64'),
  Buffer.from(`${SITE_ID}:${API_KEY}`).toString('base64'),
];

const { url } = await useEmulator();

/** Every way a person or a logger might print a value. */
function printed(value: unknown): string {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));
  };
  try {
    console.log(value);
  } finally {
    console.log = original;
  }
  let json: unknown;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    json = String(error);
  }
  return [
    ...lines,
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    String(json),
    String(value),
  ].join('\n');
}

function expectNoSecret(value: unknown): void {
  const text = printed(value);
  for (const form of FORMS) expect(text).not.toContain(form);
}

describe('printing never shows a secret', () => {
  const clients: Client[] = [
    createClient({ connector: 'track', credentials: { siteId: SITE_ID, apiKey: API_KEY } }),
    createClient({ connector: 'app', credentials: { apiKey: API_KEY } }),
    createClient({ connector: 'beta', region: 'eu', credentials: { apiKey: API_KEY } }),
  ];

  it('clients, and JSON.stringify shows what a client is', () => {
    for (const client of clients) expectNoSecret(client);
    expect(JSON.parse(JSON.stringify(clients[0]))).toEqual({
      connector: 'track',
      region: 'us',
      baseUrl: 'https://track.customer.io/api',
    });
  });

  it('prepared calls and requests (the header is still there for the sender)', () => {
    const prepared = clients[1]?.prepare('app.raw_http_request', { method: 'GET', endpoint: '/x' });
    expectNoSecret(prepared);
    expectNoSecret(prepared?.request);
    expectNoSecret(prepared?.request.headers);
    expect(prepared?.request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(prepared?.printable.headers['authorization']).toBe('Bearer [REDACTED]');
  });

  it('transports, redactors and connector definitions', async () => {
    const transport = new Transport({
      connector: 'track',
      baseUrl: 'https://track.customer.io/api',
      credentials: { siteId: SITE_ID, apiKey: API_KEY },
    });
    expectNoSecret(transport);
    expectNoSecret(Redactor.forCredentials(SITE_ID, API_KEY));
    expectNoSecret(CONNECTORS);
    await transport.close();
  });

  it('errors from a real exchange (a 401 from the emulator)', async () => {
    const client = createClient({
      connector: 'track',
      region: 'emulator',
      emulatorUrl: url,
      credentials: { siteId: SITE_ID, apiKey: API_KEY },
      retry: false,
    });
    const error = await client.deleteCustomer({ identifier: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error);
    await client.close();
  });

  it('the authentication store, its master key and the credentials it holds', () => {
    const master = Buffer.from('0123456789abcdef0123456789abcdef');
    const masterForms = [master.toString('base64'), master.toString('hex'), inspect(master)];
    const store = AuthStore.open({
      home: join(mkdtempSync(join(tmpdir(), 'cioc-print-')), 'home'),
      user: 'alice',
      env: { CIOC_MASTER_KEY: master.toString('base64') },
      onWarning: () => undefined,
    });
    try {
      store.create({ name: 'p1', connector: 'app', region: 'us', credentials: { apiKey: API_KEY } });
      const resolved = store.resolve('p1');
      expect(resolved.credentials.apiKey).toBe(API_KEY);
      for (const value of [store, decodeMasterKey(master.toString('base64'), 'CIOC_MASTER_KEY')]) {
        expectNoSecret(value);
        const text = printed(value);
        for (const form of masterForms) expect(text).not.toContain(form);
        // Still says what it is.
        expect(text).toMatch(/AuthStore|MasterKey/);
      }
      expect(JSON.parse(JSON.stringify(store))).toMatchObject({ user: 'alice' });
    } finally {
      store.close();
    }
  });
});
