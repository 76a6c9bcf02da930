/**
 * Requests exactly as Customer.io's official clients in other languages send them (Ruby, Go,
 * Python: method, path, headers and body as their sources build them), answered as Customer.io
 * answers them. Where a behaviour is inferred rather than documented, the emulator README says so.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { createEmulator } from '../src/emulator/index.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { rawRequest } from './support/raw-http.js';

const { emulator, url } = await useEmulator();
const port = Number(new URL(url).port);
const basic = `Basic ${Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64')}`;
const bearer = `Bearer ${CREDENTIALS.app.apiKey}`;
const json = 'Content-Type: application/json';

/** One request as a client library writes it: `METHOD target`, its headers, its body. */
async function send(line: string, headers: string[], body?: unknown) {
  const answer = await rawRequest(
    port,
    [`${line} HTTP/1.1`, 'Host: 127.0.0.1', ...headers].join('\r\n'),
    body === undefined ? '' : JSON.stringify(body),
  );
  return {
    status: answer.status,
    body: answer.body === '' ? undefined : (JSON.parse(answer.body) as unknown),
  };
}

describe('Track, as the official clients call it', () => {
  it('accepts the legacy POST /push/events (Ruby track_push_notification_event) like /api/v1/push/events', async () => {
    const event = { delivery_id: 'dlv-1', event: 'opened', device_id: 'tok-1', timestamp: 1700000000 };
    const legacy = await send('POST /push/events', [`Authorization: ${basic}`, json], event);
    const current = await send('POST /api/v1/push/events', [`Authorization: ${basic}`, json], event);
    expect(legacy).toEqual({ status: 200, body: {} });
    expect(current).toEqual(legacy);
    const invalid = await send('POST /push/events', [`Authorization: ${basic}`, json], {
      ...event,
      event: 'clicked',
    });
    expect(invalid).toEqual({
      status: 400,
      body: { meta: { errors: ['event must be opened, converted or delivered'] } },
    });
  });

  it('answers unknown Track paths 404 in Track’s error shape', async () => {
    for (const target of ['/api/v1/nothing', '/api/v1/customers/1/nothing', '/push/nothing', '/nothing']) {
      const answer = await send(`POST ${target}`, [`Authorization: ${basic}`, json], {});
      expect(answer.status, target).toBe(404);
      expect(answer.body, target).toEqual({ meta: { errors: [expect.stringContaining(target)] } });
    }
  });

  it('stores a device last_used sent as a numeric string (Go) as the number, and a number as it is', async () => {
    await send('PUT /api/v1/customers/go-1', [`Authorization: ${basic}`, json], { email: 'go@example.com' });
    const go = await send('PUT /api/v1/customers/go-1/devices', [`Authorization: ${basic}`, json], {
      device: { id: 'tok-go', platform: 'android', last_used: '1700000001' },
    });
    expect(go).toEqual({ status: 200, body: {} });
    const ours = createClient({
      connector: 'track',
      region: 'emulator',
      emulatorUrl: url,
      credentials: CREDENTIALS.track,
    });
    await ours.run('track.add_device', {
      identifier: 'go-1',
      device: { id: 'tok-ours', platform: 'ios', last_used: 1700000002 },
    });
    await ours.close();
    expect(emulator.state.people[0]?.devices).toEqual([
      { id: 'tok-go', platform: 'android', last_used: 1700000001, attributes: {} },
      { id: 'tok-ours', platform: 'ios', last_used: 1700000002, attributes: {} },
    ]);
    const bad = await send('PUT /api/v1/customers/go-1/devices', [`Authorization: ${basic}`, json], {
      device: { id: 'tok-bad', platform: 'ios', last_used: 'yesterday' },
    });
    expect(bad).toEqual({
      status: 400,
      body: { meta: { errors: ['device.last_used must be a unix timestamp'] } },
    });
  });

  it('accepts integer ids, cio_ ids and emails in the path', async () => {
    // Ruby: identify(id: 5, …) puts to /customers/5 with the integer id in the body too.
    expect(
      await send('PUT /api/v1/customers/5', [`Authorization: ${basic}`, json], { id: 5, plan: 'pro' }),
    ).toEqual({
      status: 200,
      body: {},
    });
    const person = emulator.state.people[0];
    expect(person).toMatchObject({ id: '5', attributes: { id: '5', plan: 'pro' } });
    expect(
      await send(`PUT /api/v1/customers/cio_${person?.cio_id ?? ''}`, [`Authorization: ${basic}`, json], {
        tier: 2,
      }),
    ).toEqual({ status: 200, body: {} });
    // Python and Go escape the path segment; Ruby sends the @ as it is.
    for (const path of ['ada%40example.com', 'ada@example.com']) {
      expect(
        await send(`PUT /api/v1/customers/${path}`, [`Authorization: ${basic}`, json], { plan: 'x' }),
      ).toEqual({ status: 200, body: {} });
    }
    await send('POST /api/v1/customers/5/events', [`Authorization: ${basic}`, json], {
      name: 'bought',
      data: {},
    });
    expect(emulator.state.people.map((p) => [p.id, p.email, p.attributes['tier'] ?? null])).toEqual([
      ['5', null, '2'],
      [null, 'ada@example.com', null],
    ]);
    expect(emulator.state.events).toMatchObject([{ name: 'bought', customer_id: '5' }]);
  });

  it('accepts DELETE with a {} body (Python), an empty JSON body, or none (Ruby, Go)', async () => {
    for (const id of ['p1', 'p2', 'p3'])
      await send(`PUT /api/v1/customers/${id}`, [`Authorization: ${basic}`, json], {});
    expect(await send('DELETE /api/v1/customers/p1', [`Authorization: ${basic}`, json], {})).toEqual({
      status: 200,
      body: {},
    });
    expect(await send('DELETE /api/v1/customers/p2', [`Authorization: ${basic}`, json])).toEqual({
      status: 200,
      body: {},
    });
    expect(await send('DELETE /api/v1/customers/p3', [`Authorization: ${basic}`])).toEqual({
      status: 200,
      body: {},
    });
    expect(emulator.state.people).toEqual([]);
  });

  it('accepts Basic credentials in the standard and the URL-safe base64 alphabet', async () => {
    // `~~~` and `???` encode to `fn5+` and `Pz8/`: the two alphabets differ on these credentials.
    const odd = createEmulator({ workspace: { siteId: 'site~~~', trackApiKey: 'key???' } });
    const origin = await odd.listen();
    try {
      const standard = Buffer.from('site~~~:key???').toString('base64');
      const urlSafe = Buffer.from('site~~~:key???').toString('base64url');
      expect(standard).toMatch(/[+/]/);
      expect(urlSafe).toMatch(/[-_]/);
      for (const encoded of [standard, urlSafe]) {
        const answer = await fetch(`${origin}/api/v1/accounts/region`, {
          headers: { authorization: `Basic ${encoded}` },
        });
        expect(answer.status, encoded).toBe(200);
      }
      const wrong = Buffer.from('site~~~:key??!').toString('base64');
      expect(
        (await fetch(`${origin}/api/v1/accounts/region`, { headers: { authorization: `Basic ${wrong}` } }))
          .status,
      ).toBe(401);
    } finally {
      await odd.close();
    }
  });
});

describe('transactional sends, as the official clients call them', () => {
  it('records the template id for a template named by number, numeric string or trigger name', async () => {
    const ids: string[] = [];
    for (const template of [7, '7', 'welcome', 'WELCOME']) {
      const answer = await send('POST /v1/send/email', [`Authorization: ${bearer}`, json], {
        transactional_message_id: template,
        identifiers: { id: 'u1' },
        to: 'u1@example.com',
      });
      expect(answer.status, String(template)).toBe(200);
      ids.push((answer.body as { delivery_id: string }).delivery_id);
    }
    expect(emulator.state.deliveries.map((d) => d.transactional_message_id)).toEqual([7, 7, 7, 7]);
    for (const id of ids) {
      const message = await send(`GET /v1/messages/${id}`, [`Authorization: ${bearer}`]);
      expect(message.body).toMatchObject({ message: { id, transactional_message_id: 7 } });
    }
    const unknown = await send('POST /v1/send/email', [`Authorization: ${bearer}`, json], {
      transactional_message_id: 'nope',
      identifiers: { id: 'u1' },
      to: 'u1@example.com',
    });
    expect(unknown).toEqual({
      status: 400,
      body: { meta: { error: 'transactional message "nope" not found' } },
    });
  });

  it('sends a WhatsApp message (Ruby send_whatsapp) and shows the delivery in /v1/messages', async () => {
    const answer = await send('POST /v1/send/whatsapp', [`Authorization: ${bearer}`, json], {
      transactional_message_id: 'welcome',
      identifiers: { email: 'ada@example.com' },
      message_data: { name: 'Ada' },
      to: '+15551234567',
      tracked: true,
      disable_message_retention: false,
      send_to_unsubscribed: true,
      queue_draft: false,
      language: 'en',
    });
    expect(answer.status).toBe(200);
    const { delivery_id: deliveryId } = answer.body as { delivery_id: string; queued_at: number };
    const list = await send('GET /v1/messages', [`Authorization: ${bearer}`]);
    expect(list.body).toMatchObject({
      messages: [
        { id: deliveryId, type: 'whatsapp', recipient: '+15551234567', transactional_message_id: 7 },
      ],
    });
    const missing = await send('POST /v1/send/whatsapp', [`Authorization: ${bearer}`, json], {
      identifiers: { id: 'u1' },
    });
    expect(missing).toEqual({
      status: 400,
      body: { meta: { error: 'transactional_message_id is required' } },
    });
  });

  it('sends WhatsApp through our registry operation, on the App and the Beta host, never resent', async () => {
    for (const connector of ['app', 'beta'] as const) {
      const client = createClient({
        connector,
        region: 'emulator',
        emulatorUrl: url,
        credentials: CREDENTIALS.app,
      });
      const sent = (await client.runUntyped(`${connector}.send_whatsapp_message`, {
        transactional_message_id: 7,
        identifiers: { id: '42' },
        to: '+15551234567',
      })) as { delivery_id: string };
      expect(sent.delivery_id).toMatch(/^emu-whatsapp-/);
      await client.close();
    }
    expect(emulator.requests.map((r) => r.path)).toEqual(['/v1/send/whatsapp', '/v1/api/send/whatsapp']);
    expect(emulator.state.deliveries.map((d) => [d.kind, d.transactional_message_id])).toEqual([
      ['whatsapp', 7],
      ['whatsapp', 7],
    ]);
  });
});

describe('the seeded example', () => {
  it('answers the documentation’s raw example GET /campaigns/8/triggers/1 on a fresh emulator', async () => {
    const fresh = createEmulator();
    await fresh.listen();
    try {
      const client = createClient({
        connector: 'app',
        region: 'emulator',
        emulatorUrl: fresh.url,
        credentials: CREDENTIALS.app,
      });
      const answer = await client.rawHttpRequest({ method: 'GET', endpoint: '/campaigns/8/triggers/1' });
      expect(answer).toMatchObject({
        status: 200,
        body: { id: 1, broadcast_id: 8, processed_at: expect.any(Number) },
      });
      await client.close();
    } finally {
      await fresh.close();
    }
  });
});
