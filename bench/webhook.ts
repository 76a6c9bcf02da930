/**
 * Webhook-triggered runs through `cioc serve`: the two-step example behind a webhook trigger with
 * `"respond": "when_finished"`, so each POST answers when its run has finished and the request's
 * round trip is the trigger-to-finished latency. Next to it, a direct client making the same two
 * requests. The server (HTTP API, engine, SQLite store in a temporary CIOC_HOME) runs in this
 * process; the emulator in its own.
 *
 * 1. Sequential: one webhook at a time, interleaved with one direct pair at a time: p50/p99.
 * 2. Throughput: the same number again with 16 in flight: runs/s (and pairs/s direct).
 * Usage: webhook.ts <emulator-url> <runs>
 */
import { Agent, request } from 'undici';
import { createClient } from '../src/client.js';
import { benchServer } from './bench-server.js';
import { percentile, SITE_ID, TRACK_KEY, welcomeWorkflow } from './support.js';

const [url = '', runsText = '1000'] = process.argv.slice(2);
const runs = Number(runsText);
const IN_FLIGHT = 16;

// Client-side rate limiting is off for both contenders: this measures cost, not the 100/s budget.
const { server, origin, userId } = await benchServer(url, {
  concurrency: IN_FLIGHT,
  client: { rateLimits: false },
});
const { token } = await server.services.accounts.createToken(userId);
const agent = new Agent({ connections: IN_FLIGHT * 2 });
const saved = await request(`${origin}/api/workflows`, {
  method: 'POST',
  dispatcher: agent,
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({
    ...welcomeWorkflow(),
    name: 'Welcome a new customer (webhook)',
    trigger: { type: 'webhook', respond: 'when_finished' },
  }),
});
const workflow = (await saved.body.json()) as { trigger: { webhook_url: string } };
const hook = workflow.trigger.webhook_url;
const client = createClient({
  connector: 'track',
  region: 'emulator',
  emulatorUrl: url,
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
  rateLimits: false,
});
const body = (i: number) => ({
  id: `hook-${String(i % 500)}`,
  email: `hook${String(i % 500)}@example.com`,
  plan: 'pro',
});

async function viaWebhook(i: number): Promise<number> {
  const started = performance.now();
  const response = await request(hook, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body(i)),
  });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`webhook answered ${String(response.statusCode)}`);
  return performance.now() - started;
}

async function direct(i: number): Promise<number> {
  const started = performance.now();
  const b = body(i);
  await client.run('track.create_or_update_customer', { identifier: b.id, email: b.email });
  await client.run('track.track_custom_event', {
    identifier: b.id,
    name: 'welcomed',
    data: { plan: b.plan, upsert: 'succeeded' },
  });
  return performance.now() - started;
}

async function inFlight(
  fn: (i: number) => Promise<number>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < runs) latencies.push(await fn(next++));
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
};

for (let i = 0; i < 100; i++) {
  await viaWebhook(i);
  await direct(i);
}
const hookLatency: number[] = [];
const directLatency: number[] = [];
for (let i = 0; i < runs; i++) {
  if (i % 2 === 0) {
    hookLatency.push(await viaWebhook(i));
    directLatency.push(await direct(i));
  } else {
    directLatency.push(await direct(i));
    hookLatency.push(await viaWebhook(i));
  }
}
const hookLoad = await inFlight(viaWebhook);
const directLoad = await inFlight(direct);
const stored = await server.services.workflows.listRuns({
  workflowId: (workflow as unknown as { id: string }).id,
  limit: 1_000_000,
});
await server.close();
await client.close();
await agent.close();
console.log(
  JSON.stringify({
    runs,
    inFlight: IN_FLIGHT,
    storedRuns: stored.length,
    webhook: {
      sequential: stats(hookLatency),
      loaded: stats(hookLoad.latencies),
      perSecond: runs / hookLoad.seconds,
    },
    direct: {
      sequential: stats(directLatency),
      loaded: stats(directLoad.latencies),
      perSecond: runs / directLoad.seconds,
    },
  }),
);
