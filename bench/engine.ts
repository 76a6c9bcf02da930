/**
 * Workflow engine overhead: the two-step example (create or update customer, then track an event)
 * run by the engine against the emulator, with a real SQLite store in a temporary CIOC_HOME, next
 * to a direct client doing the same two requests. The engine's overhead per step is the run's
 * time (startRun to the finished run read back) minus the time its requests spent on the wire
 * (as the transport measured each attempt), divided by its steps.
 * Usage: engine.ts <emulator-url> <runs>
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../src/client.js';
import { createEngine } from '../src/engine/engine.js';
import { authStoreResolver } from '../src/engine/authentications.js';
import { AuthStore } from '../src/store/auth-store.js';
import { WorkflowStore } from '../src/store/workflow-store.js';
import type { WorkflowDocument } from '../src/workflows/document.js';
import { percentile, SITE_ID, TRACK_KEY, welcomeWorkflow } from './support.js';

const [url = '', runsText = '1000'] = process.argv.slice(2);
const runs = Number(runsText);

const home = join(mkdtempSync(join(tmpdir(), 'cioc-bench-')), 'home');
const auth = AuthStore.open({ home, user: 'bench@example.com', env: {} });
auth.create({
  name: 'Emulator Track',
  connector: 'track',
  region: 'emulator',
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
});
const store = new WorkflowStore(auth.database);
// Client-side rate limiting is off for both contenders: this measures cost, not the 100/s budget.
const engine = createEngine({
  store,
  authentications: authStoreResolver(auth),
  concurrency: 1,
  client: { emulatorUrl: url, rateLimits: false },
});
const document = welcomeWorkflow() as unknown as WorkflowDocument;
const { workflow } = await store.saveWorkflow({ ownerId: auth.userId, document });
const client = createClient({
  connector: 'track',
  region: 'emulator',
  emulatorUrl: url,
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
  rateLimits: false,
});
const body = (i: number) => ({
  id: `bench-${String(i % 500)}`,
  email: `bench${String(i % 500)}@example.com`,
  plan: 'pro',
});

interface Sample {
  total: number;
  http: number;
}

async function viaEngine(i: number): Promise<Sample> {
  const started = performance.now();
  const id = await engine.startRun({ workflowId: workflow.id }, { body: body(i) });
  const run = await engine.waitForRun(id);
  const total = performance.now() - started;
  if (run.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(run.error)}`);
  const http = run.steps.reduce((sum, s) => sum + s.requests.reduce((t, r) => t + r.duration_ms, 0), 0);
  return { total, http };
}

async function direct(i: number): Promise<Sample> {
  let http = 0;
  const onExchange = (e: { durationMs: number }): void => {
    http += e.durationMs;
  };
  const started = performance.now();
  const b = body(i);
  await client.run('track.create_or_update_customer', { identifier: b.id, email: b.email }, { onExchange });
  await client.run(
    'track.track_custom_event',
    { identifier: b.id, name: 'welcomed', data: { plan: b.plan, upsert: 'succeeded' } },
    { onExchange },
  );
  return { total: performance.now() - started, http };
}

for (let i = 0; i < 200; i++) {
  await viaEngine(i);
  await direct(i);
}
const engineSamples: Sample[] = [];
const directSamples: Sample[] = [];
const started = performance.now();
for (let i = 0; i < runs; i++) {
  if (i % 2 === 0) {
    engineSamples.push(await viaEngine(i));
    directSamples.push(await direct(i));
  } else {
    directSamples.push(await direct(i));
    engineSamples.push(await viaEngine(i));
  }
}
const seconds = (performance.now() - started) / 1000;
const sorted = (values: number[]) => values.sort((a, b) => a - b);
const stats = (values: number[]) => {
  const s = sorted(values);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
};
await engine.close();
await client.close();
auth.close();
console.log(
  JSON.stringify({
    runs,
    seconds,
    engine: {
      run: stats(engineSamples.map((s) => s.total)),
      overheadPerStep: stats(engineSamples.map((s) => (s.total - s.http) / 2)),
    },
    direct: {
      run: stats(directSamples.map((s) => s.total)),
      overheadPerStep: stats(directSamples.map((s) => (s.total - s.http) / 2)),
    },
  }),
);
