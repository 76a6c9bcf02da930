/**
 * The web console's numbers: the JavaScript (and CSS) a first visit downloads, gzip-compressed as
 * served; the time from navigation to an interactive builder in Chromium (Debian's, headless, a
 * fresh browser context each time: nothing cached); and the time to open an operation's
 * properties panel (clicking a step until its first generated field is on screen; the first open of
 * an operation fetches its schema from the server, later ones come from the page's cache).
 *
 * `cioc serve` (in this process, the built console from dist/console) and the emulator (in its own)
 * as in the other benches. Usage: console.ts <emulator-url> <navigations>
 */
import { gzipSync } from 'node:zlib';
import type { WorkflowDocument } from '../src/workflows/document.js';
import { launchBrowser } from '../test/support/chromium.js';
import { BENCH_USER, benchServer } from './bench-server.js';
import { percentile, welcomeWorkflow } from './support.js';

const [url = '', navigationsText = '15'] = process.argv.slice(2);
const navigations = Number(navigationsText);

const { server, origin, userId } = await benchServer(url);
const saved = await server.services.workflows.saveWorkflow({
  ownerId: userId,
  document: welcomeWorkflow() as unknown as WorkflowDocument,
});
const builderUrl = `${origin}/workflows/${saved.workflow.id}`;

// 1. What a first visit downloads: the page's scripts, module preloads and stylesheets.
const html = await (await fetch(`${origin}/`)).text();
const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
let jsRaw = 0;
let jsGzip = 0;
let cssGzip = 0;
for (const asset of new Set(assets)) {
  const body = Buffer.from(await (await fetch(`${origin}${asset}`)).arrayBuffer());
  const gzip = gzipSync(body, { level: 9 }).length;
  if (asset.endsWith('.js')) {
    jsRaw += body.length;
    jsGzip += gzip;
  } else cssGzip += gzip;
}

// 2 and 3: in Chromium, signed in through the real form's API.
const browser = await launchBrowser();
const signIn = await fetch(`${origin}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin },
  body: JSON.stringify(BENCH_USER),
});
const cookie = /^cioc_session=([^;]*)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
if (cookie === '') throw new Error(`Sign-in failed: ${String(signIn.status)}`);

const interactive: number[] = [];
const panelCold: number[] = [];
const panelWarm: number[] = [];
for (let i = 0; i < navigations; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([{ name: 'cioc_session', value: cookie, url: origin }]);
  const page = await context.newPage();
  const start = performance.now();
  await page.goto(builderUrl, { waitUntil: 'commit' });
  const addStep = page.getByRole('button', { name: 'Add step' }).first();
  await addStep.waitFor({ state: 'visible' });
  interactive.push(performance.now() - start);

  const steps = page.getByRole('list', { name: 'Workflow steps' });
  const open = async (title: RegExp, field: string): Promise<number> => {
    const t0 = performance.now();
    await steps.getByRole('button', { name: title }).first().click();
    await page
      .getByRole('tabpanel', { name: 'Properties' })
      .getByRole('textbox', { name: field, exact: true })
      .waitFor({ state: 'visible' });
    return performance.now() - t0;
  };
  panelCold.push(await open(/Create or update customer/, 'Identifier'));
  await page
    .getByRole('button', { name: /Trigger/ })
    .first()
    .click();
  panelWarm.push(await open(/Create or update customer/, 'Identifier'));
  await context.close();
}
await browser.close();
await server.close();

const stat = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
process.stdout.write(
  `${JSON.stringify({
    navigations,
    firstLoad: { jsRawBytes: jsRaw, jsGzipBytes: jsGzip, cssGzipBytes: cssGzip, files: new Set(assets).size },
    interactive: stat(interactive),
    panelCold: stat(panelCold),
    panelWarm: stat(panelWarm),
  })}\n`,
);
