// A click-through of the console in Debian's Chromium (not a test suite: the lead's end-to-end
// suite asserts; this one shows). Usage, against a running `cioc serve` with its emulator:
//   node scripts/console-smoke.js http://127.0.0.1:3000 [screenshot-dir]
// Signs up (first run) or signs in as CIOC_SMOKE_EMAIL / CIOC_SMOKE_PASSWORD, builds a one-step
// workflow, creates a Track authentication through the modal (region Emulator, the emulator's
// default keys unless CIOC_SMOKE_SITE_ID / CIOC_SMOKE_TRACK_KEY), runs it and opens the debug row.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const dir = process.argv[3] ?? 'console-smoke';
const email = process.env.CIOC_SMOKE_EMAIL ?? 'smoke@example.com';
const password = process.env.CIOC_SMOKE_PASSWORD ?? 'smoke-password-1';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => void d.accept());
  const shot = (name) => page.screenshot({ path: `${dir}/${name}.png` });

  await page.goto(base);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const setup = await page.getByRole('heading', { name: 'Create the first account' }).isVisible();
  await page.getByRole('button', { name: setup ? 'Create account' : 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Workflows' }).waitFor();
  await shot('workflows');

  await page.getByRole('button', { name: 'New workflow' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(`Smoke ${new Date().toISOString()}`);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('button', { name: 'Add step' }).first().click();
  await page.getByRole('button', { name: /Customer\.io - Track/ }).click();
  await page
    .getByRole('button', { name: /Create or update customer/ })
    .first()
    .click();
  await page.getByRole('textbox', { name: 'Identifier' }).fill('{{ $.trigger.body.id }}');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('ada@example.com');
  await shot('builder');

  await page.getByRole('tab', { name: 'Authenticate' }).click();
  await page.getByRole('button', { name: 'New authentication' }).click();
  const authName = `Smoke Track ${String(Date.now())}`;
  await page.getByRole('dialog').getByLabel('Name').fill(authName);
  await page.getByLabel('Personal').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('API Key').fill(process.env.CIOC_SMOKE_TRACK_KEY ?? 'emulator-track-key');
  await page.getByLabel('Site ID').fill(process.env.CIOC_SMOKE_SITE_ID ?? 'emulator-site-id');
  await page.getByLabel('Region').selectOption({ label: 'Emulator' });
  await shot('modal');
  await page.getByRole('button', { name: 'Create authentication' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page
    .getByLabel('Authentication')
    .locator(`option[value="${authName}"]`)
    .waitFor({ state: 'attached' });

  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Run workflow' }).click();
  await page.getByLabel(/Trigger body/).fill('{"id":"42"}');
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /^(Run|Save and run)$/ })
    .click();
  const debug = page.getByRole('region', { name: 'Debug' });
  await debug
    .getByText(/succeeded|failed/)
    .first()
    .waitFor();
  await debug.locator('summary').first().click();
  await shot('debug');
  console.log(`screenshots in ${dir}/`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}
