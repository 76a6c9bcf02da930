/**
 * One throughput contender in its own process: N person events to a receiver (the no-op sink or
 * the emulator), measured in process CPU time (user + system, stable under load) and wall time.
 * Usage: throughput.ts <floor|ours|pre-encoded> <url> <events> [warm-up events]
 *
 * - floor: the least a JS client can do to send these bytes: `JSON.stringify` each item, pack
 *   under 500 KB by `Buffer.byteLength`, `join`, undici `request()` with 4 in flight. Its items
 *   carry an `id` already (made almost for free, see `idFor`), so it sends the same bytes
 *   as ours without paying for ids, validation or send-safety.
 * - ours: `sendBatch` with the client's defaults (validation, ids, packing, rate limits, retries).
 * - pre-encoded: the floor's request bodies built before the clock starts, then only sent: what
 *   the receiver can take (its ceiling), the sender doing almost nothing.
 *
 * The warm-up (same mode, same receiver) runs first, so JIT compilation and connection set-up are
 * not in the numbers (they are the same for every contender anyway).
 */
import { Agent, request } from 'undici';
import { ulid } from '../src/ulid.js';
import { eventFor, peakRssMb, rssNowMb, SITE_ID, TRACK_KEY } from './support.js';

const [mode = 'ours', url = '', eventsText = '200000', warmupText = '20000'] = process.argv.slice(2);
const events = Number(eventsText);
const warmup = Number(warmupText);
const startRssMb = rssNowMb();
const LIMIT = 500_000;
const IN_FLIGHT = 4;

interface Measured {
  cpu: NodeJS.CpuUsage;
  ms: number;
}

/**
 * The floor's event ids: unique (the emulator stores each event once) and as long as ours, for
 * next to nothing: a fixed ULID's first 16 characters and the event's number in Crockford base32.
 */
const ID_PREFIX = ulid().slice(0, 16);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function idFor(i: number): string {
  let tail = '';
  for (let n = i, k = 0; k < 10; k++, n = Math.floor(n / 32)) tail = CROCKFORD.charAt(n % 32) + tail;
  return ID_PREFIX + tail;
}

function entity(i: number, withId: boolean): Record<string, unknown> {
  const e = eventFor(i);
  const item: Record<string, unknown> = {
    type: 'person',
    action: 'event',
    identifiers: { id: e.customerId },
    name: e.name,
    attributes: e.data,
  };
  if (withId) item['id'] = idFor(i);
  return item;
}

function* entities(from: number, count: number, withId: boolean): Generator<Record<string, unknown>> {
  for (let i = from; i < from + count; i++) yield entity(i, withId);
}

const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
const headers = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from(`${SITE_ID}:${TRACK_KEY}`).toString('base64')}`,
};
const batchUrl = `${url}/api/v2/batch`;
let requests = 0;
let bytes = 0;

async function post(body: string | Buffer): Promise<void> {
  requests += 1;
  bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const response = await request(batchUrl, { method: 'POST', headers, body, dispatcher: agent });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`the receiver answered ${String(response.statusCode)}`);
}

/** Sends bodies as they come, at most IN_FLIGHT at once; the first failure is thrown. */
function sender(): { send(body: string | Buffer): Promise<void>; done(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const check = (): void => {
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('a request failed', { cause: failure });
  };
  return {
    async send(body) {
      while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      check();
      const p: Promise<void> = post(body).then(
        () => {
          inFlight.delete(p);
        },
        (error: unknown) => {
          failure ??= error;
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
    },
    async done() {
      await Promise.all(inFlight);
      check();
    },
  };
}

/** JSON.stringify + byteLength + pack + join: the floor's encoder, handing each body to `emit`. */
async function packFloor(
  items: Iterable<unknown>,
  emit: (body: string) => Promise<void> | void,
): Promise<void> {
  let parts: string[] = [];
  let bytes = 12;
  for (const item of items) {
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json, 'utf8');
    if (parts.length > 0 && bytes + 1 + size > LIMIT) {
      await emit(`{"batch":[${parts.join(',')}]}`);
      parts = [];
      bytes = 12;
    }
    bytes += (parts.length === 0 ? 0 : 1) + size;
    parts.push(json);
  }
  if (parts.length > 0) await emit(`{"batch":[${parts.join(',')}]}`);
}

// Only ours loads the library (the floor's process must not pay for it, in time or memory).
const library =
  mode === 'ours'
    ? {
        ...(await import('../src/client.js')),
        ...(await import('../src/delivery/batch-builder.js')),
      }
    : undefined;
const client = library?.createClient({
  connector: 'track',
  region: 'emulator',
  emulatorUrl: url,
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
});

/** Runs the mode; pre-encoded returns its own measure (encoding is not part of it). */
async function run(from: number, count: number): Promise<Measured | undefined> {
  switch (mode) {
    case 'floor': {
      const s = sender();
      await packFloor(entities(from, count, true), (body) => s.send(body));
      await s.done();
      return undefined;
    }
    case 'ours': {
      if (library === undefined || client === undefined) throw new Error('the library is not loaded');
      const report = await library.sendBatch(client, entities(from, count, false));
      if (report.accepted !== count)
        throw new Error(`only ${String(report.accepted)} of ${String(count)} accepted`);
      requests += report.requests;
      return undefined;
    }
    case 'pre-encoded': {
      const bodies: Buffer[] = [];
      await packFloor(entities(from, count, true), (body) => {
        bodies.push(Buffer.from(body));
      });
      const s = sender();
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const body of bodies) await s.send(body);
      await s.done();
      return { cpu: process.cpuUsage(cpu), ms: performance.now() - started };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

if (warmup > 0) await run(events, warmup);
requests = 0;
bytes = 0;
const cpu = process.cpuUsage();
const started = performance.now();
const measured = await run(0, events);
const result = measured ?? { cpu: process.cpuUsage(cpu), ms: performance.now() - started };
if (mode === 'ours') {
  // The bytes ours sent, worked out after the clock stops (its ids are 26 characters like the
  // pool's): each item and its comma, and 12 bytes of envelope per request, less a comma.
  for (const item of entities(0, events, true)) bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
  bytes += requests * 11;
}
await client?.close();
await agent.close();
const cpuUs = result.cpu.user + result.cpu.system;
console.log(
  JSON.stringify({
    mode,
    events,
    requests,
    bytes,
    seconds: result.ms / 1000,
    eventsPerSecond: events / (result.ms / 1000),
    cpuUsPerEvent: cpuUs / events,
    peakRssMb: peakRssMb(),
    startRssMb,
  }),
);
