/**
 * Send-safe delivery against the emulator as the adversary: retries, Retry-After, dropped
 * connections, DeliveryUnknownError, client-side rate limits, and the v2 batch builder.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { BatchAbortedError, sendBatch } from '../src/delivery/batch-builder.js';
import { AbortedError, DeliveryUnknownError, ServerError } from '../src/errors.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 400));

let keyCounter = 0;
/** A client with its own Track key, so that its rate limiter is not shared with other tests. */
function trackClient(options: { timeoutMs?: number } = {}) {
  const apiKey = `track-key-${String(++keyCounter)}`;
  emulator.state.workspace.trackApiKey = apiKey;
  return createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { siteId: CREDENTIALS.track.siteId, apiKey },
    ...options,
  });
}
function appClient(options: { timeoutMs?: number } = {}) {
  const apiKey = `app-key-${String(++keyCounter)}`;
  emulator.state.workspace.appApiKey = apiKey;
  return createClient({
    connector: 'app',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { apiKey },
    ...options,
  });
}

describe('retries', () => {
  it('an idempotent call succeeds after two injected 503s', async () => {
    const client = trackClient();
    emulator.faults.add({ method: 'PUT', path: '/api/v1/customers/42', status: 503, times: 2 });
    await client.createOrUpdateCustomer({ identifier: '42', attributes: { plan: 'pro' } });
    expect(emulator.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(emulator.state.find('id', '42')?.attributes['plan']).toBe('pro');
    await client.close();
  });

  it('gives up after maxRetries with the last error', async () => {
    const client = trackClient();
    emulator.faults.add({ path: '/api/v1/customers/1', status: 500, times: 5 });
    await expect(client.deleteCustomer({ identifier: '1' }, { maxRetries: 1 })).rejects.toBeInstanceOf(
      ServerError,
    );
    expect(emulator.requests).toHaveLength(2);
    await client.close();
  });

  it('a 429 with Retry-After: 1 waits about a second, then succeeds', async () => {
    const client = trackClient();
    emulator.faults.add({ path: '/api/v1/customers/7', status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await client.deleteCustomer({ identifier: '7' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
    expect(emulator.requests.map((r) => r.status)).toEqual([429, 200]);
    await client.close();
  });

  it('an event retried after a dropped connection is stored exactly once, with the same id', async () => {
    const client = trackClient();
    emulator.faults.add({ method: 'POST', path: '/api/v1/customers/42/events', drop: 'after_processing' });
    const { id } = await client.trackCustomEvent({ identifier: '42', name: 'purchase' });
    expect(emulator.requests.map((r) => r.status)).toEqual([0, 200]);
    expect(emulator.state.events).toHaveLength(1);
    expect(emulator.state.events[0]?.id).toBe(id);
    await client.close();
  });

  it('a transactional send whose connection drops after it was read is not resent', async () => {
    const client = appClient();
    emulator.faults.add({ method: 'POST', path: '/v1/send/email', drop: 'after_processing' });
    const error = await client
      .sendTransactionalEmail({
        transactional_message_id: 7,
        identifiers: { id: '42' },
        to: 'ada@example.com',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect((error as DeliveryUnknownError).message).toContain(
      'app.send_transactional_email may have been delivered; not retried',
    );
    expect((error as DeliveryUnknownError).hint).toContain('GET /v1/messages');
    expect((error as DeliveryUnknownError).exitCode).toBe(5);
    expect(emulator.requests.filter((r) => r.path === '/v1/send/email')).toHaveLength(1);
    expect(emulator.state.deliveries).toHaveLength(1); // it was delivered: exactly once
    await client.close();
  });

  it('a send that times out or gets a 5xx is not resent either', async () => {
    const client = appClient({ timeoutMs: 200 });
    emulator.faults.add({ path: '/v1/campaigns/1/triggers', delay_ms: 400 });
    await expect(client.triggerBroadcast({ broadcast_id: 1 })).rejects.toBeInstanceOf(DeliveryUnknownError);
    emulator.faults.add({ path: '/v1/send/email', status: 502 });
    await expect(
      client.sendTransactionalEmail({
        transactional_message_id: 7,
        identifiers: { id: '1' },
        to: 'a@example.com',
      }),
    ).rejects.toBeInstanceOf(DeliveryUnknownError);
    await settle(); // let the abandoned, delayed trigger request finish at the emulator
    expect(emulator.requests.map((r) => r.path).sort()).toEqual([
      '/v1/campaigns/1/triggers',
      '/v1/send/email',
    ]);
    expect(emulator.state.triggers.filter((t) => t.broadcast_id === 1)).toHaveLength(1);
    await client.close();
  });

  it('a send refused before any byte was sent, or rate limited, is resent', async () => {
    const client = appClient();
    emulator.faults.add({ path: '/v1/send/email', status: 429, headers: { 'retry-after': '0' } });
    await expect(
      client.sendTransactionalEmail({
        transactional_message_id: 7,
        identifiers: { id: '1' },
        to: 'a@example.com',
      }),
    ).resolves.toMatchObject({ delivery_id: expect.any(String) as unknown });
    expect(emulator.requests.map((r) => r.status)).toEqual([429, 200]);
    await client.close();
    const refused = createClient({
      connector: 'app',
      baseUrl: 'http://127.0.0.1:9/v1',
      credentials: { apiKey: 'k-refused' },
      retry: { baseDelayMs: 1 },
    });
    const error = await refused
      .sendTransactionalEmail({ transactional_message_id: 7, identifiers: { id: '1' }, to: 'a@example.com' })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConnectionError'); // retried 3 times, then the refusal itself
    await refused.close();
  });
});

describe('client-side rate limits', () => {
  it('50 concurrent App calls never exceed 10 requests in any 1-second window at the emulator', async () => {
    emulator.rateLimiter.limits = { app: 10 };
    try {
      const client = appClient();
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          client.rawHttpRequest({
            method: 'GET',
            endpoint: '/customers',
            query_parameters: { email: `p${String(i)}@example.com` },
          }),
        ),
      );
      const elapsed = Date.now() - started;
      const arrivals = emulator.requests.map((r) => r.at).sort((a, b) => a - b);
      expect(arrivals).toHaveLength(50);
      expect(emulator.requests.every((r) => r.status === 200)).toBe(true); // zero 429s
      for (let i = 0; i + 10 < arrivals.length; i++) {
        expect((arrivals[i + 10] ?? 0) - (arrivals[i] ?? 0)).toBeGreaterThanOrEqual(1000);
      }
      expect(elapsed).toBeGreaterThan(4000); // 5 windows of 10
      await client.close();
    } finally {
      emulator.rateLimiter.limits = {};
    }
  }, 20_000);

  it('the emulator refuses a client without limits with 429 + Retry-After', async () => {
    emulator.rateLimiter.limits = { app: 10 };
    try {
      const apiKey = `app-key-${String(++keyCounter)}`;
      emulator.state.workspace.appApiKey = apiKey;
      const client = createClient({
        connector: 'app',
        region: 'emulator',
        emulatorUrl: url,
        credentials: { apiKey },
        rateLimits: false,
        retry: false,
      });
      const results = await Promise.allSettled(
        Array.from({ length: 15 }, () =>
          client.rawHttpRequest({
            method: 'GET',
            endpoint: '/customers',
            query_parameters: { email: 'x@example.com' },
          }),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(5);
      expect(String((refused[0] as PromiseRejectedResult).reason)).toContain('over the 10-per-second limit');
      await client.close();
    } finally {
      emulator.rateLimiter.limits = {};
    }
  });

  it('a 429 with Retry-After pauses the whole bucket for that credential', async () => {
    const client = trackClient();
    emulator.faults.add({ path: '/api/v1/customers/a', status: 429, headers: { 'retry-after': '1' } });
    const first = client.deleteCustomer({ identifier: 'a' });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await client.deleteCustomer({ identifier: 'b' }); // waits for the pause, though it was never refused
    expect(Date.now() - started).toBeGreaterThan(700);
    await first;
    await client.close();
  });
});

describe('v2 batch builder', () => {
  it('reports exactly the oversized and invalid items and delivers all the others', async () => {
    const client = trackClient();
    const big = 'x'.repeat(33_000);
    const entities: unknown[] = [];
    for (let i = 0; i < 3000; i++) {
      entities.push({
        type: 'person',
        action: 'identify',
        identifiers: { id: `p${String(i)}` },
        attributes: { n: i, filler: 'y'.repeat(200) },
      });
    }
    entities[5] = { type: 'person', action: 'identify', identifiers: { id: 'big' }, attributes: { big } }; // > 32 KB
    entities[1200] = { type: 'person', action: 'identify', identifiers: { id: 'big2' }, attributes: { big } }; // > 32 KB
    entities[77] = { type: 'person', action: 'event', identifiers: { id: 'p77' } }; // invalid: no name
    entities[2500] = { type: 'person', action: 'identify', identifiers: { phone: '+15551234567' } }; // refused by Customer.io (207)
    entities[2999] = { type: 'person', action: 'event', identifiers: { id: 'p1' }, name: 'last' };
    const report = await sendBatch(client, entities);
    expect(report.rejected.map((r) => r.index)).toEqual([5, 77, 1200, 2500]);
    expect(report.rejected.find((r) => r.index === 77)?.reason).toBe('/name is required');
    expect(report.rejected.find((r) => r.index === 5)?.reason).toMatch(/at most 32000 bytes/);
    expect(report.rejected.find((r) => r.index === 2500)?.reason).toContain('phone is not enabled');
    expect(report.failed).toEqual([]);
    expect(report.accepted).toBe(2996);
    expect(report.items).toBe(3000);
    // 3000 items of ~280 bytes: at least two requests, each under 500 KB.
    expect(report.requests).toBeGreaterThanOrEqual(2);
    expect(emulator.requests.every((r) => r.path === '/api/v2/batch')).toBe(true);
    expect(emulator.requests.map((r) => r.status)).toContain(207);
    expect(emulator.state.people).toHaveLength(2995);
    expect(emulator.state.events.map((e) => e.name)).toEqual(['last']);
    expect(emulator.state.events[0]?.id).toMatch(/^[0-9A-Z]{26}$/);
    await client.close();
  });

  it('refuses an item with a lone surrogate in a value or a key, and sends a literal "\\ud…" as it is', async () => {
    const client = trackClient();
    const person = (id: string, attributes: Record<string, unknown>) => ({
      type: 'person',
      action: 'identify',
      identifiers: { id },
      attributes,
    });
    const report = await sendBatch(client, [
      person('a', { note: 'fine 😀' }),
      person('b', { note: 'half \ud83d' }), // a lone high surrogate
      person('c', { ['k\udc00']: 1 }), // a lone low surrogate in a key
      person('d', { note: 'a backslash then ud83d: \\ud83d' }), // encodes as "\\\\ud83d": not a surrogate
    ]);
    expect(report.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(report.rejected[0]?.reason).toMatch(/attributes\/note/);
    expect(report.accepted).toBe(2);
    expect(emulator.state.people.map((p) => p.id).sort()).toEqual(['a', 'd']);
    expect(emulator.state.people.find((p) => p.id === 'd')?.attributes['note']).toBe(
      'a backslash then ud83d: \\ud83d',
    );
    await client.close();
  });

  it('retries transient failures and reports the items of a batch that kept failing', async () => {
    const client = trackClient();
    emulator.faults.add({ path: '/api/v2/batch', status: 503, times: 1 });
    const ok = await sendBatch(client, [{ type: 'person', action: 'delete', identifiers: { id: '1' } }]);
    expect(ok).toMatchObject({ accepted: 1, rejected: [], failed: [], maybeDelivered: [] });
    // A 5xx may come after the change was made: "may have been delivered", not "failed".
    emulator.faults.add({ path: '/api/v2/batch', status: 503, times: 10 });
    const unknown = await sendBatch(
      client,
      [{ type: 'person', action: 'delete', identifiers: { id: '1' } }],
      {
        maxRetries: 1,
      },
    );
    expect(unknown.maybeDelivered.map((f) => f.index)).toEqual([0]);
    expect(unknown.failed).toEqual([]);
    expect(unknown.accepted).toBe(0);
    // A 429 is a refusal before processing: "failed", safe to send again.
    emulator.faults.clear();
    emulator.faults.add({ path: '/api/v2/batch', status: 429, times: 10 });
    const refused = await sendBatch(
      client,
      [{ type: 'person', action: 'delete', identifiers: { id: '1' } }],
      {
        maxRetries: 0,
      },
    );
    expect(refused.failed).toEqual([
      {
        index: 0,
        reason: expect.stringContaining('429') as string,
        entity: { type: 'person', action: 'delete', identifiers: { id: '1' } },
      },
    ]);
    expect(refused.maybeDelivered).toEqual([]);
    await client.close();
  });

  it('gives back the ids items were sent with: resending what may have been delivered stores each event once', async () => {
    const client = trackClient();
    // Every attempt (1 + 3 retries) is processed, and its answer lost.
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', drop: 'after_processing', times: 4 });
    const events = [
      { type: 'person', action: 'event', identifiers: { id: 'p1' }, name: 'signed_up' },
      { type: 'person', action: 'identify', identifiers: { id: 'p2' }, attributes: { plan: 'pro' } },
      { type: 'person', action: 'event', identifiers: { id: 'p2' }, name: 'upgraded' },
    ];
    const first = await sendBatch(client, events);
    expect(first.accepted).toBe(0);
    expect(first.failed).toEqual([]);
    expect(first.maybeDelivered.map((p) => p.index)).toEqual([0, 1, 2]);
    const ids = first.maybeDelivered.map((p) => p.id);
    expect(ids[0]).toMatch(/^[0-9A-Z]{26}$/);
    expect(ids[1]).toBeUndefined(); // identify carries no id: it is idempotent
    expect(ids[2]).toMatch(/^[0-9A-Z]{26}$/);
    expect(first.maybeDelivered[0]?.entity).toEqual({ ...events[0], id: ids[0] });
    await settle();
    expect(emulator.requests.filter((r) => r.path === '/api/v2/batch')).toHaveLength(4);
    // Resend exactly what the report gives back.
    const again = await sendBatch(
      client,
      first.maybeDelivered.map((p) => p.entity),
    );
    expect(again).toMatchObject({ accepted: 3, rejected: [], failed: [], maybeDelivered: [] });
    expect(emulator.state.events.map((e) => [e.name, e.id])).toEqual([
      ['signed_up', ids[0]],
      ['upgraded', ids[2]],
    ]);
    await client.close();
  });

  it('a merge that was applied but whose answer was lost is "may have been delivered", never "failed"', async () => {
    const client = trackClient();
    const setup = await sendBatch(client, [
      { type: 'person', action: 'identify', identifiers: { id: 'a' } },
      { type: 'person', action: 'identify', identifiers: { id: 'b' } },
    ]);
    expect(setup.accepted).toBe(2);
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', drop: 'after_processing', times: 1 });
    const report = await sendBatch(client, [
      { type: 'person', action: 'merge', primary: { id: 'a' }, secondary: { id: 'b' } },
    ]);
    expect(report.failed).toEqual([]);
    expect(report.maybeDelivered.map((p) => p.index)).toEqual([0]);
    expect(report.maybeDelivered[0]?.reason).toContain('may have been delivered; not retried');
    await settle();
    expect(emulator.state.people.map((p) => p.id)).toEqual(['a']); // it was applied
    await client.close();
  });

  it('never resends a batch that merges after it may have arrived', async () => {
    const client = trackClient({ timeoutMs: 200 });
    emulator.faults.add({ path: '/api/v2/batch', delay_ms: 400 });
    const report = await sendBatch(client, [
      { type: 'person', action: 'merge', primary: { id: 'a' }, secondary: { id: 'b' } },
    ]);
    expect(report.failed).toEqual([]);
    expect(report.maybeDelivered[0]?.reason).toContain('may have been delivered; not retried');
    await settle();
    expect(emulator.requests.map((r) => r.path)).toEqual(['/api/v2/batch']); // sent once, never again
    await client.close();
  });

  it('an aborted batch still reports every item read, with the ids sent: resending leaves each event once', async () => {
    const client = trackClient();
    const events = Array.from({ length: 30 }, (_, i) => ({
      type: 'person',
      action: 'event',
      identifiers: { id: `p${String(i)}` },
      name: `e${String(i)}`,
    }));
    // About ten events per request; the first request is held 600 ms by the emulator, then processed.
    const oneItem = Buffer.byteLength(JSON.stringify({ ...events[10], id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', delay_ms: 600, times: 1 });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 200);
    const error = await sendBatch(client, events, {
      concurrency: 1,
      maxBatchBytes: 20 + 10 * (oneItem + 1),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchAbortedError);
    expect(error).toBeInstanceOf(AbortedError);
    const report = (error as BatchAbortedError).report;
    expect(report.accepted).toBe(0);
    expect(report.rejected).toEqual([]);
    // The request in flight may have arrived; the batch packed behind it and the item being packed never left.
    expect(report.maybeDelivered.map((p) => p.index)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(report.failed.map((p) => p.index)).toEqual(Array.from({ length: 11 }, (_, i) => 10 + i));
    expect(report.items).toBe(21);
    for (const problem of [...report.maybeDelivered, ...report.failed]) {
      expect(problem.id).toMatch(/^[0-9A-Z]{26}$/);
      expect(problem.entity).toEqual({ ...events[problem.index], id: problem.id });
    }
    expect(report.failed[0]?.reason).toContain('not sent');
    await new Promise((resolve) => setTimeout(resolve, 800)); // the held request is processed meanwhile
    // The held request did arrive: resending it must not store its events twice.
    expect(emulator.state.events.map((e) => e.id)).toEqual(report.maybeDelivered.map((p) => p.id));
    // Resend what the report gives back, and what was never read.
    const again = await sendBatch(client, [
      ...report.maybeDelivered.map((p) => p.entity),
      ...report.failed.map((p) => p.entity),
      ...events.slice(report.items),
    ]);
    expect(again).toMatchObject({ items: 30, accepted: 30, rejected: [], failed: [], maybeDelivered: [] });
    expect(emulator.state.events).toHaveLength(30);
    expect(new Set(emulator.state.events.map((e) => e.name)).size).toBe(30);
    await client.close();
  });

  it('a whole batch refused for its credentials (401, 403) is "failed" with the items as sent: nothing was processed', async () => {
    const client = trackClient();
    const events = [
      { type: 'person', action: 'event', identifiers: { id: 'p1' }, name: 'signed_up' },
      { type: 'person', action: 'identify', identifiers: { id: 'p2' } },
    ];
    for (const status of [401, 403]) {
      emulator.faults.add({ method: 'POST', path: '/api/v2/batch', status, times: 1 });
      const report = await sendBatch(client, events);
      expect(report.rejected).toEqual([]);
      expect(report.maybeDelivered).toEqual([]);
      expect(report.failed.map((p) => p.index)).toEqual([0, 1]);
      expect(report.failed[0]?.reason).toContain(String(status));
      expect(report.failed[0]?.id).toMatch(/^[0-9A-Z]{26}$/);
      expect(report.failed[0]?.entity).toEqual({ ...events[0], id: report.failed[0]?.id });
      expect(report.failed[1]?.entity).toEqual(events[1]);
    }
    expect(emulator.state.events).toEqual([]);
    // Resending once the credentials work stores each event once.
    const again = await sendBatch(client, [events[0]]);
    expect(again.accepted).toBe(1);
    expect(emulator.state.events).toHaveLength(1);
    await client.close();
  });

  it('packs by UTF-8 bytes: every request within the limit and as full as it can be, every character intact', async () => {
    const client = trackClient();
    const events = Array.from({ length: 300 }, (_, i) => ({
      type: 'person',
      action: 'event',
      identifiers: { id: `p${String(i)}` },
      name: 'wrote',
      attributes: { text: `${'€'.repeat(300 + (i % 7) * 40)}ü😀\u2028"\\${String(i)}`, i },
    }));
    const sizes: number[][] = [];
    const report = await sendBatch(client, events, {
      maxBatchBytes: 20_000,
      onExchange: (exchange) => {
        const batch = (exchange.request.body as { batch: unknown[] }).batch;
        sizes.push(batch.map((item) => Buffer.byteLength(JSON.stringify(item))));
      },
    });
    expect(report.accepted).toBe(300);
    expect(report.requests).toBe(sizes.length);
    const total = (items: number[]): number => 12 + items.reduce((a, b) => a + b, 0) + items.length - 1;
    sizes.forEach((items, r) => {
      expect(total(items)).toBeLessThanOrEqual(20_000);
      const next = sizes[r + 1]?.[0];
      // Full: the next request's first item would not have fitted in this one.
      if (next !== undefined) expect(total(items) + 1 + next).toBeGreaterThan(20_000);
    });
    expect(sizes.flat()).toHaveLength(300);
    const stored = new Map(emulator.state.events.map((e) => [e.data['i'], e.data['text']]));
    events.forEach((e) => {
      expect(stored.get(e.attributes.i)).toBe(e.attributes.text);
    });
    await client.close();
  });

  it('refuses an item by its UTF-8 size (with its id), not its UTF-16 length', async () => {
    const client = trackClient();
    const event = (text: string) => ({
      type: 'person',
      action: 'event',
      identifiers: { id: 'p1' },
      name: 'wrote',
      attributes: { text },
    });
    const fits = event('€'.repeat(10_600)); // 10 600 UTF-16 units, 31 800 bytes + the rest
    const over = event('€'.repeat(10_650)); // 31 950 bytes + the rest: over 32 000 with its id
    const bytesOf = (e: object): number => Buffer.byteLength(JSON.stringify({ ...e, id: 'X'.repeat(26) }));
    expect(bytesOf(fits)).toBeLessThanOrEqual(32_000);
    expect(bytesOf(over)).toBeGreaterThan(32_000);
    const report = await sendBatch(client, [fits, over]);
    expect(report.accepted).toBe(1);
    expect(report.rejected).toEqual([
      { index: 1, reason: `the item is ${String(bytesOf(over))} bytes; at most 32000 bytes are allowed` },
    ]);
    expect(emulator.state.events.map((e) => e.data['text'])).toEqual([fits.attributes.text]);
    await client.close();
  });

  it('sends an item larger than a small maxBatchBytes alone, and never an empty request', async () => {
    const client = trackClient();
    const events = [0, 1].map((i) => ({
      type: 'person',
      action: 'event',
      identifiers: { id: 'p1' },
      name: `e${String(i)}`,
    }));
    const batches: number[] = [];
    const report = await sendBatch(client, events, {
      maxBatchBytes: 50,
      onExchange: (exchange) => batches.push((exchange.request.body as { batch: unknown[] }).batch.length),
    });
    expect(report.accepted).toBe(2);
    expect(batches).toEqual([1, 1]);
    await client.close();
  });

  it('onSettled tells every item once, as its request settles: accepted, 207-rejected, refused unsent, failed', async () => {
    const client = trackClient({ timeoutMs: 2000 });
    const items: unknown[] = Array.from({ length: 12 }, (_, i) => ({
      type: 'person',
      action: 'identify',
      identifiers: { id: `p${String(i)}` },
    }));
    items[3] = { type: 'person', action: 'identify' }; // invalid: refused before sending
    const oneItem = Buffer.byteLength(JSON.stringify(items[10]));
    // Four items per request: the first request gets a 207 naming its second item, the second a
    // 429 every time (failed after its retry), the third goes through.
    emulator.faults.add({
      method: 'POST',
      path: '/api/v2/batch',
      status: 207,
      body: { errors: [{ batch_index: 1, reason: 'invalid', field: 'x', message: 'no' }] },
      times: 1,
    });
    emulator.faults.add({
      method: 'POST',
      path: '/api/v2/batch',
      status: 429,
      headers: { 'retry-after': '0' },
      times: 2,
    });
    const seen: { indices: number[]; rejected: number[]; failed: number[]; maybe: number[] }[] = [];
    const retries: string[] = [];
    const report = await sendBatch(client, items, {
      concurrency: 1,
      maxRetries: 1,
      maxBatchBytes: 20 + 4 * (oneItem + 1),
      onEvent: (event) => {
        if (event.type === 'retry') retries.push(event.cause);
      },
      onSettled: (s) => {
        seen.push({
          indices: [...s.indices],
          rejected: s.rejected.map((p) => p.index),
          failed: s.failed.map((p) => p.index),
          maybe: s.maybeDelivered.map((p) => p.index),
        });
      },
    });
    expect(seen).toEqual([
      { indices: [3], rejected: [3], failed: [], maybe: [] },
      { indices: [0, 1, 2, 4], rejected: [1], failed: [], maybe: [] },
      { indices: [5, 6, 7, 8], rejected: [], failed: [5, 6, 7, 8], maybe: [] },
      { indices: [9, 10, 11], rejected: [], failed: [], maybe: [] },
    ]);
    expect(retries).toEqual(['429']);
    expect(report.accepted).toBe(6);
    const told = seen.flatMap((s) => s.indices).sort((a, b) => a - b);
    expect(told).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await client.close();
  });

  it('chunks: takes an async iterable of arrays, item by item, indices as if yielded one by one', async () => {
    const client = trackClient();
    async function* arrays(): AsyncGenerator<unknown[]> {
      yield [0, 1, 2].map((i) => ({
        type: 'person',
        action: 'identify',
        identifiers: { id: `c${String(i)}` },
      }));
      yield [];
      yield [
        { type: 'person', action: 'identify' },
        { type: 'person', action: 'event', identifiers: { id: 'c3' }, name: 'x' },
      ];
    }
    const report = await sendBatch(client, arrays(), { chunks: true });
    expect(report).toMatchObject({ items: 5, accepted: 4, requests: 1 });
    expect(report.rejected.map((p) => p.index)).toEqual([3]);
    expect(report.bytes).toBeGreaterThan(100);
    expect(emulator.state.events.map((e) => e.customer_id)).toEqual(['c3']);
    await client.close();
  });
});
