/**
 * The client's two hooks for callers that keep records of what they send (the workflow engine):
 * `onExchange` sees every attempt, redacted; `prepare({ newId })` + `send` sends a request whose
 * generated ids the caller knew (and could persist) before anything left the process.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { DeliveryUnknownError } from '../src/errors.js';
import type { Exchange } from '../src/transport/transport.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const SECRETS = [
  CREDENTIALS.track.apiKey,
  CREDENTIALS.app.apiKey,
  Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64'),
];

const track = () =>
  createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: CREDENTIALS.track,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });

describe('onExchange', () => {
  it('sees each attempt (a 503 then the success) with the request and response redacted', async () => {
    emulator.faults.add({ path: '/api/v1/customers/7', status: 503 });
    const exchanges: Exchange[] = [];
    await track().run(
      'track.create_or_update_customer',
      { identifier: '7', email: 'seven@example.com' },
      { onExchange: (e) => exchanges.push(e) },
    );
    expect(exchanges.map((e) => e.response?.status)).toEqual([503, 200]);
    const [first] = exchanges;
    expect(first?.request).toMatchObject({
      method: 'PUT',
      url: `${url}/api/v1/customers/7`,
      body: { email: 'seven@example.com' },
    });
    expect(first?.request.headers['authorization']).toBe('Basic [REDACTED]');
    expect(first?.durationMs).toBeGreaterThan(0);
    const text = JSON.stringify(exchanges);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('sees a failure without a response as an error message', async () => {
    emulator.faults.add({ path: '/v1/send/email', drop: true });
    const exchanges: Exchange[] = [];
    const app = createClient({
      connector: 'app',
      region: 'emulator',
      emulatorUrl: url,
      credentials: CREDENTIALS.app,
    });
    await expect(
      app.run(
        'app.send_transactional_email',
        { transactional_message_id: 1, to: 'a@example.com', identifiers: { id: '1' } },
        { onExchange: (e) => exchanges.push(e) },
      ),
    ).rejects.toBeInstanceOf(DeliveryUnknownError);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.response).toBeUndefined();
    expect(exchanges[0]?.error).toMatch(/POST .*\/v1\/send\/email failed/);
  });
});

describe('prepare({ newId }) and send', () => {
  it('uses the caller’s ids, and sending the same prepared call twice stores one event', async () => {
    const client = track();
    const ids: string[] = [];
    const call = client.prepare(
      'track.track_custom_event',
      { identifier: '9', name: 'signed_up' },
      {
        newId: () => {
          ids.push('01J9ZZZZZZZZZZZZZZZZZZZZZZ');
          return '01J9ZZZZZZZZZZZZZZZZZZZZZZ';
        },
      },
    );
    expect(ids).toEqual(['01J9ZZZZZZZZZZZZZZZZZZZZZZ']);
    expect(call.idempotent).toBe(true);
    expect(call.printable.body).toMatchObject({ id: '01J9ZZZZZZZZZZZZZZZZZZZZZZ', name: 'signed_up' });
    await expect(client.send(call)).resolves.toEqual({ id: '01J9ZZZZZZZZZZZZZZZZZZZZZZ' });
    await expect(client.send(call)).resolves.toEqual({ id: '01J9ZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(emulator.requests.filter((r) => r.path === '/api/v1/customers/9/events')).toHaveLength(2);
    expect(emulator.state.events.filter((e) => e.name === 'signed_up')).toHaveLength(1);
  });

  it('keeps send-safety for a prepared non-idempotent call', async () => {
    const app = createClient({
      connector: 'app',
      region: 'emulator',
      emulatorUrl: url,
      credentials: CREDENTIALS.app,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    emulator.faults.add({ path: '/v1/send/email', status: 502 });
    const call = app.prepare('app.send_transactional_email', {
      transactional_message_id: 1,
      to: 'a@example.com',
      identifiers: { id: '1' },
    });
    expect(call.idempotent).toBe(false);
    await expect(app.send(call)).rejects.toBeInstanceOf(DeliveryUnknownError);
    expect(emulator.requests.filter((r) => r.path === '/v1/send/email')).toHaveLength(1);
  });
});
