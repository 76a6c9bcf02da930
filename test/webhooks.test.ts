/**
 * The emulator sends signed reporting webhooks to a real local receiver; our verifier accepts them.
 * Failures are retried, and hold back the webhook's later events.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { verifyWebhookRequest } from '../src/webhooks/verify.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator({ webhookRetryBaseMs: 50, webhookMaxAttempts: 4 });

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
let failNext = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (failNext > 0) {
      failNext -= 1;
      res.writeHead(500).end();
      return;
    }
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/cio`;
afterAll(
  () =>
    new Promise<void>((resolve) =>
      receiver.close(() => {
        resolve();
      }),
    ),
);

const appClient = () =>
  createClient({
    connector: 'app',
    region: 'emulator',
    emulatorUrl: url,
    credentials: CREDENTIALS.app,
    rateLimits: false,
  });

async function waitFor(count: number): Promise<void> {
  for (let i = 0; i < 100 && received.length < count; i++) await new Promise((r) => setTimeout(r, 20));
}

describe('outbound reporting webhooks', () => {
  it('are signed so that verifyWebhookRequest accepts them, one event per POST', async () => {
    received.length = 0;
    const app = appClient();
    await app.createReportingWebhook({ name: 'audit', endpoint, events: ['email_sent'] });
    const { delivery_id } = await app.sendTransactionalEmail({
      transactional_message_id: 7,
      identifiers: { id: '42' },
      to: 'ada@example.com',
    });
    await app.sendTransactionalPush({ transactional_message_id: 7, identifiers: { id: '42' }, to: 'all' }); // push_sent: not subscribed
    await waitFor(1);
    expect(received).toHaveLength(1);
    const [first] = received;
    const verdict = verifyWebhookRequest(
      { headers: first?.headers ?? {}, rawBody: first?.body ?? '' },
      emulator.state.workspace.webhookSigningKey,
    );
    expect(verdict).toMatchObject({
      ok: true,
      event: { object_type: 'email', metric: 'sent', data: { delivery_id, recipient: 'ada@example.com' } },
    });
    expect(
      verifyWebhookRequest({ headers: first?.headers ?? {}, rawBody: first?.body ?? '' }, 'wrong-key'),
    ).toMatchObject({ ok: false, reason: 'bad_signature' });
    await app.close();
  });

  it('retries a failed delivery and holds later events back until it succeeds', async () => {
    received.length = 0;
    emulator.state.webhooks.set(1, {
      id: 1,
      name: 'audit',
      endpoint,
      events: ['email_sent'],
      disabled: false,
    });
    failNext = 2;
    const app = appClient();
    const first = await app.sendTransactionalEmail({
      transactional_message_id: 7,
      identifiers: { id: '1' },
      to: 'one@example.com',
    });
    const second = await app.sendTransactionalEmail({
      transactional_message_id: 7,
      identifiers: { id: '2' },
      to: 'two@example.com',
    });
    await waitFor(2);
    const ids = received.map(
      (r) => (JSON.parse(r.body) as { data: { delivery_id: string } }).data.delivery_id,
    );
    expect(ids).toEqual([first.delivery_id, second.delivery_id]);
    const log = (await (await fetch(`${url}/__emulator/webhook-deliveries`)).json()) as {
      deliveries: { attempts: number; status: string }[];
    };
    expect(log.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 3],
      ['delivered', 1],
    ]);
    await app.close();
  });

  it('gives up after the last attempt and moves on', async () => {
    received.length = 0;
    emulator.state.webhooks.set(1, {
      id: 1,
      name: 'dead',
      endpoint: 'http://127.0.0.1:9/nowhere',
      events: ['email_sent'],
      disabled: false,
    });
    emulator.state.send('email', {
      transactional_message_id: 7,
      identifiers: { id: '1' },
      to: 'x@example.com',
    });
    for (let i = 0; i < 100 && emulator.webhookSender.log[0]?.status === 'pending'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(emulator.webhookSender.log[0]).toMatchObject({ status: 'failed', attempts: 4, last_status: null });
    expect(emulator.webhookSender.log[0]?.last_error).toBeTruthy();
  });
});
