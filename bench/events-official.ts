/**
 * The baseline: customerio-node@4 calling `track()` once per event at a fixed concurrency, for N
 * events or until a time limit, whichever comes first.
 * Usage: events-official.ts <emulator-url> <events> <concurrency> <time-limit-seconds>
 */
import http from 'node:http';
import { TrackClient } from 'customerio-node';
import { eventFor, peakRssMb, rssNowMb, SITE_ID, TRACK_KEY } from './support.js';

const startRssMb = rssNowMb();
const [url = '', eventsText = '200000', concurrencyText = '32', limitText = '600'] = process.argv.slice(2);
const events = Number(eventsText);
const concurrency = Number(concurrencyText);
const deadline = performance.now() + Number(limitText) * 1000;
const origin = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const client = new TrackClient(SITE_ID, TRACK_KEY, {
  url: `${url}/api/v1`,
  port: Number(origin.port),
  protocol: 'http:',
  agent,
});

let next = 0;
let delivered = 0;
let requests = 0;
let rateLimited = 0;
let failed = 0;
const started = performance.now();
async function worker(): Promise<void> {
  while (next < events && performance.now() < deadline) {
    const e = eventFor(next++);
    requests += 1;
    try {
      await client.track(e.customerId, { name: e.name, data: e.data });
      delivered += 1;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 429) rateLimited += 1;
      else failed += 1;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
console.log(
  JSON.stringify({
    delivered,
    seconds,
    eventsPerSecond: delivered / seconds,
    requests,
    rateLimited,
    failed,
    peakRssMb: peakRssMb(),
    startRssMb,
  }),
);
