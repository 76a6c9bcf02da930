/** `onEvent` (retries, waits, giving up) and `onPage` against the emulator; `paginate` misuse. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { ConfigError } from '../src/errors.js';
import type { DeliveryEvent } from '../src/transport/delivery-events.js';
import type { PageInfo } from '../src/operations/pagination.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

describe('client observation hooks', () => {
  it('tells each retry with its cause and wait, and why it gave up', async () => {
    const events: DeliveryEvent[] = [];
    const app = createClient({
      connector: 'app',
      credentials: CREDENTIALS.app,
      region: 'emulator',
      emulatorUrl: url,
      rateLimits: false,
      retry: { maxRetries: 2, baseDelayMs: 1 },
      onEvent: (event) => events.push(event),
    });
    emulator.faults.add({ path: '/v1/segments', status: 429, headers: { 'retry-after': '0.05' } });
    await app.run('app.list_segments', {});
    expect(events).toEqual([
      { type: 'request', operationId: 'app.list_segments', attempt: 1 },
      { type: 'response', operationId: 'app.list_segments', attempt: 1, result: '429' },
      {
        type: 'retry',
        operationId: 'app.list_segments',
        attempt: 1,
        maxAttempts: 3,
        cause: '429',
        delayMs: 50,
        fromRetryAfter: true,
      },
      { type: 'request', operationId: 'app.list_segments', attempt: 2 },
      { type: 'response', operationId: 'app.list_segments', attempt: 2, result: '200' },
    ]);
    events.length = 0;
    emulator.faults.add({ path: '/v1/segments', status: 503, times: 3 });
    await expect(app.run('app.list_segments', {})).rejects.toThrow(/503/);
    expect(events.map((e) => e.type)).toEqual([
      ...['request', 'response', 'retry'],
      ...['request', 'response', 'retry'],
      ...['request', 'response', 'give_up'],
    ]);
    expect(events[8]).toEqual({
      type: 'give_up',
      operationId: 'app.list_segments',
      attempts: 3,
      cause: '503',
      reason: 'exhausted',
    });
    await app.close();
  });

  it('paginate tells each page, and refuses an operation that does not paginate', async () => {
    const app = createClient({
      connector: 'app',
      credentials: CREDENTIALS.app,
      region: 'emulator',
      emulatorUrl: url,
      rateLimits: false,
    });
    // @ts-expect-error: not a paginated listing (the compiler says so; at run time, a ConfigError)
    expect(() => app.paginate('app.list_segments')).toThrow(ConfigError);
    expect(() => app.paginateUntyped('app.list_segments')).toThrow(/not a paginated listing: call run\(\)/);
    const ids = ['a', 'b', 'c'];
    for (const id of ids) emulator.state.identify(id, { email: `${id}@example.com` });
    emulator.state.changeSegment(1, { ids }, 'id', true);
    const pages: PageInfo[] = [];
    let items = 0;
    for await (const _ of app.paginate(
      'app.list_customers_in_segment',
      { segment_id: 1, limit: 2 },
      { onPage: (page) => pages.push(page) },
    ))
      items += 1;
    expect(items).toBe(3);
    expect(pages).toEqual([
      { number: 1, items: 2, more: true },
      { number: 2, items: 1, more: false },
    ]);
    await app.close();
  });
});
