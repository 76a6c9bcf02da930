/**
 * Delivers N events through our v2 batch builder (client-side rate limits on, defaults).
 * Usage: events-ours.ts <emulator-url> <events>
 */
import { createClient } from '../src/client.js';
import { sendBatch } from '../src/delivery/batch-builder.js';
import { eventFor, peakRssMb, rssNowMb, SITE_ID, TRACK_KEY } from './support.js';

const startRssMb = rssNowMb();
const [url = '', eventsText = '200000'] = process.argv.slice(2);
const events = Number(eventsText);
let attempts = 0;
let rateLimited = 0;
const client = createClient({
  connector: 'track',
  region: 'emulator',
  emulatorUrl: url,
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
  logger: (entry) => {
    attempts += 1;
    if (entry.status === 429) rateLimited += 1;
  },
});

function* entities(): Generator {
  for (let i = 0; i < events; i++) {
    const e = eventFor(i);
    yield {
      type: 'person',
      action: 'event',
      identifiers: { id: e.customerId },
      name: e.name,
      attributes: e.data,
    };
  }
}

const started = performance.now();
const report = await sendBatch(client, entities());
const seconds = (performance.now() - started) / 1000;
await client.close();
if (report.accepted !== events)
  throw new Error(
    `only ${String(report.accepted)} of ${String(events)} accepted: ${JSON.stringify(report.rejected.slice(0, 3))}`,
  );
console.log(
  JSON.stringify({
    delivered: report.accepted,
    seconds,
    eventsPerSecond: report.accepted / seconds,
    requests: attempts,
    rateLimited,
    peakRssMb: peakRssMb(),
    startRssMb,
  }),
);
