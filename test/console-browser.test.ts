/**
 * The web console in real Chromium against a real `cioc serve --emulator` (child process, own
 * CIOC_HOME, the in-process emulator behind it): setup, sign-in, a workflow built through the
 * builder with the seed's three Track operations and the Raw HTTP request example,
 * authentications made in the modal, a run read in the debug panel and checked in the emulator,
 * a member who cannot see the admin's Personal authentication, a cross-site POST refused, sign-out,
 * and axe-core on every page. Screenshots land in .artifacts/screenshots/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  seriousViolations,
  startConsole,
  type RunningConsole,
} from './support/chromium.js';

const ADA = { email: 'ada@example.com', password: 'ada has a long password' };
const BOB = { email: 'bob@example.com', password: 'bob has a long password' };
const TRACK = { siteId: 'emulator-site-id', apiKey: 'emulator-track-key' };
const APP_KEY = 'emulator-app-key';
/** Screenshots worth showing in the README are copied here when CIOC_UPDATE_SCREENSHOTS=1. */
const DOCS_SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

/** Waits for a value to meet the assertion that follows (a slow, shared CI machine: 20 s). */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

let app: RunningConsole;
let browser: Browser;
let ada: BrowserContext;
let page: Page;
let workflowUrl = '';

beforeAll(async () => {
  app = await startConsole();
  browser = await launchBrowser();
  ada = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ada.newPage();
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser.close();
  await app.stop();
});

async function shot(p: Page, name: string): Promise<void> {
  const path = await screenshot(p, name);
  if (process.env['CIOC_UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(DOCS_SHOTS, { recursive: true });
    copyFileSync(path, join(DOCS_SHOTS, `${name}.png`));
  }
}

async function expectAccessible(p: Page, where: string): Promise<void> {
  const violations = await seriousViolations(p);
  expect({ where, violations }).toEqual({ where, violations: [] });
}

async function emulator<T>(path: string): Promise<T> {
  return (await (await fetch(`${app.emulatorUrl}${path}`)).json()) as T;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Adds a step at the end of the top-level flow: connector, then operation by its title. */
async function addStep(connector: string, title: string): Promise<void> {
  await page
    .getByRole('list', { name: 'Workflow steps' })
    .getByRole('button', { name: 'Add step' })
    .last()
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: new RegExp(`^${escape(connector)}`) }).click();
  await dialog.getByRole('searchbox').fill(title);
  await dialog
    .getByRole('button', { name: new RegExp(`^${escape(title)}`) })
    .first()
    .click();
  await eventually(() => dialog.count()).toBe(0);
  await page.getByRole('tab', { name: 'Properties' }).click();
}

/** A generated field of the Properties tab, by its accessible name. */
function field(name: string, role: 'textbox' | 'combobox' = 'textbox') {
  return page.getByRole('tabpanel', { name: 'Properties' }).getByRole(role, { name, exact: true });
}

async function authenticate(name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Authenticate' }).click();
  await page.getByLabel('Authentication', { exact: true }).selectOption(name);
  await page.getByRole('tab', { name: 'Properties' }).click();
}

describe('the console in Chromium', () => {
  it('first visit: the setup page creates the admin account and signs in', async () => {
    await page.goto(app.url);
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Create the first account',
    );
    await expectAccessible(page, 'setup');
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Workflows');
    await expectAccessible(page, 'workflows (empty)');
  });

  it('signs out and in again with Email and Password', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in');
    await expectAccessible(page, 'sign in');
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').innerText()).toMatch(/wrong|incorrect|not/i);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Workflows');
  });

  it('builds the workflow: three Track operations and the Raw HTTP request, authentications made in the modal', async () => {
    // A customer for the Delete customer step to remove.
    const basic = Buffer.from(`${TRACK.siteId}:${TRACK.apiKey}`).toString('base64');
    const put = await fetch(`${app.emulatorUrl}/api/v1/customers/leaving`, {
      method: 'PUT',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'leaving@example.com' }),
    });
    expect(put.status).toBe(200);

    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Welcome a new customer');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Add step' }).first().waitFor();
    await expectAccessible(page, 'builder (empty)');

    // 1. Create or update customer, with a new Personal Track authentication from the modal.
    await addStep('Customer.io - Track', 'Create or update customer');
    await field('Identifier').fill('{{ $.trigger.body.id }}');
    await field('Email').fill('{{ $.trigger.body.email }}');
    await shot(page, 'builder-properties');
    await expectAccessible(page, 'builder (properties)');
    await page.getByRole('tab', { name: 'Authenticate' }).click();
    await page.getByRole('button', { name: 'New authentication' }).click();
    const modal = page.getByRole('dialog');
    await modal.getByLabel('Name').fill('Emulator Track');
    await modal.getByLabel('Personal').check();
    await expectAccessible(page, 'authentication modal, page one');
    await modal.getByRole('button', { name: 'Next' }).click();
    await modal.getByLabel('API Key').fill(TRACK.apiKey);
    await modal.getByLabel('Site ID').fill(TRACK.siteId);
    await modal.getByLabel('Region').selectOption({ label: 'Emulator' });
    await shot(page, 'authentication-modal');
    await expectAccessible(page, 'authentication modal, page two');
    await modal.getByRole('button', { name: 'Create authentication' }).click();
    await eventually(() => modal.count()).toBe(0);
    const selected = page.getByLabel('Authentication', { exact: true });
    await eventually(() => selected.locator('option:checked').innerText()).toMatch(/^Emulator Track/);
    // The secret never comes back to the page.
    expect(await page.content()).not.toContain(TRACK.apiKey);

    // 2. Track a custom event, referencing the trigger.
    await addStep('Customer.io - Track', 'Track a custom event');
    await field('Identifier').fill('{{ $.trigger.body.id }}');
    await field('Name').fill('welcomed');
    await authenticate('Emulator Track');

    // 3. Delete customer.
    await addStep('Customer.io - Track', 'Delete customer');
    await field('Identifier').fill('leaving');
    await authenticate('Emulator Track');

    // 4. Raw HTTP request on App, with an Organisational App authentication from the modal.
    await addStep('Customer.io - App', 'Raw HTTP request (advanced)');
    await field('Method', 'combobox').selectOption('GET');
    await field('Endpoint').fill('/campaigns/8/triggers/1');
    await field('Body Type', 'combobox').selectOption('none');
    await page.getByRole('tab', { name: 'Authenticate' }).click();
    await page.getByRole('button', { name: 'New authentication' }).click();
    await modal.getByLabel('Name').fill('Team App');
    await modal.getByLabel('Organisational').check();
    await modal.getByRole('button', { name: 'Next' }).click();
    await modal.getByLabel('API Key').fill(APP_KEY);
    expect(await modal.getByLabel('Site ID').count()).toBe(0);
    await modal.getByLabel('Region').selectOption({ label: 'Emulator' });
    await modal.getByRole('button', { name: 'Create authentication' }).click();
    await eventually(() => modal.count()).toBe(0);
    await eventually(() => selected.locator('option:checked').innerText()).toMatch(/^Team App/);

    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.url()).toMatch(/\/workflows\/[0-9A-Z]{26}$/);
    workflowUrl = page.url();
    await eventually(() => page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
  });

  it('runs it: the debug panel shows every step and its output, and the emulator changed', async () => {
    await page.getByRole('button', { name: 'Run workflow' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill(JSON.stringify({ id: '42', email: 'ada@example.com' }));
    await dialog.getByRole('button', { name: /Run/ }).click();
    const debug = page.getByRole('region', { name: 'Debug' });
    const rows = debug.getByRole('list', { name: 'Steps of the run' }).getByRole('listitem');
    await eventually(() => rows.count()).toBe(4);
    await eventually(async () =>
      (await rows.allInnerTexts()).map((t) => /succeeded|failed|running|queued/.exec(t)?.[0]),
    ).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    await eventually(() => debug.innerText()).toMatch(/Run\s+[0-9A-Z]{26}\s+succeeded/);

    // Open the raw request's row: its output is the seeded trigger of broadcast 8.
    await rows.nth(3).locator('summary').first().click();
    await eventually(() => rows.nth(3).innerText()).toMatch(/"campaign_id"|"id": ?1|broadcast/);
    await eventually(() => rows.nth(3).innerText()).toMatch(/GET/);
    await eventually(() => rows.nth(3).innerText()).toMatch(/\/campaigns\/8\/triggers\/1/);
    expect(await debug.innerText()).not.toContain(APP_KEY);
    await shot(page, 'debug-panel');
    await expectAccessible(page, 'builder with the debug panel open');

    const { people } = await emulator<{ people: { id: string; email: string }[] }>('/__emulator/people');
    expect(people.find((p) => p.id === '42')?.email).toBe('ada@example.com');
    expect(people.find((p) => p.id === 'leaving')).toBeUndefined();
    const { events } = await emulator<{ events: { name: string; customer_id: string }[] }>(
      '/__emulator/events',
    );
    expect(events.filter((e) => e.name === 'welcomed').map((e) => e.customer_id)).toEqual(['42']);
  });

  it('reopens the workflow from the list and shows its last run', async () => {
    await page.goto(app.url);
    const row = page.getByRole('row', { name: /Welcome a new customer/ });
    await eventually(() => row.innerText()).toMatch(/succeeded/);
    await eventually(() => row.innerText()).toMatch(/manual/i);
    await shot(page, 'workflows');
    await page.getByRole('link', { name: 'Welcome a new customer' }).click();
    await eventually(() => page.url()).toBe(workflowUrl);
    await page.getByRole('button', { name: 'Add step' }).first().waitFor();
    await shot(page, 'builder');
  });

  it('the other pages are accessible too', async () => {
    for (const [link, heading] of [
      ['Authentications', 'Authentications'],
      ['Members', 'Members'],
      ['API tokens', 'API tokens'],
    ] as const) {
      await page.getByRole('navigation').getByRole('link', { name: link }).click();
      await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(heading);
      await expectAccessible(page, link);
    }
  });

  it('an admin adds a member, who sees the Organisational authentication but not the Personal one', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Members' }).click();
    const form = page.getByRole('region', { name: 'Add a member' });
    await form.getByLabel('Email').fill(BOB.email);
    await form.getByLabel('Password').fill(BOB.password);
    await form.getByLabel('Role').selectOption('member');
    await form.getByRole('button', { name: 'Add member' }).click();
    await eventually(() => page.getByRole('table').innerText()).toContain(BOB.email);

    const bob = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const bobPage = await bob.newPage();
    await bobPage.goto(app.url);
    await bobPage.getByLabel('Email').fill(BOB.email);
    await bobPage.getByLabel('Password').fill(BOB.password);
    await bobPage.getByRole('button', { name: 'Sign in' }).click();
    await bobPage.getByRole('navigation').getByRole('link', { name: 'Authentications' }).click();
    await eventually(() => bobPage.getByRole('main').innerText()).toContain('Team App');
    expect(await bobPage.getByRole('main').innerText()).not.toContain('Emulator Track');
    // Through the API with his session too.
    const listed = await bobPage.evaluate(async () => {
      const answer = await fetch('/api/authentications');
      return ((await answer.json()) as { authentications: { name: string }[] }).authentications.map(
        (a) => a.name,
      );
    });
    expect(listed).toEqual(['Team App']);
    // Ada's workflow is private: Bob's list does not show it, and its URL is not found.
    await bobPage.getByRole('navigation').getByRole('link', { name: 'Workflows' }).click();
    expect(await bobPage.getByRole('main').innerText()).not.toContain('Welcome a new customer');
    const id = workflowUrl.split('/').at(-1) ?? '';
    const status = await bobPage.evaluate(async (wf) => (await fetch(`/api/workflows/${wf}`)).status, id);
    expect(status).toBe(404);
    await bob.close();
  });

  it('refuses a cross-site POST made with the session cookie (CSRF)', async () => {
    const before = await page.evaluate(
      async () =>
        ((await (await fetch('/api/workflows')).json()) as { workflows: unknown[] }).workflows.length,
    );
    // A page of another origin (the emulator's) posts to the console with the browser's cookie.
    const attacker = await ada.newPage();
    await attacker.goto(`${app.emulatorUrl}/__emulator/health`);
    const answer = await attacker.evaluate(async (target) => {
      const response = await fetch(`${target}/api/workflows`, {
        method: 'POST',
        credentials: 'include',
        mode: 'no-cors',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ name: 'Forged', trigger: { type: 'manual' }, steps: [] }),
      });
      return response.type;
    }, app.url);
    expect(answer).toBe('opaque');
    await attacker.close();
    const after = await page.evaluate(
      async () =>
        ((await (await fetch('/api/workflows')).json()) as { workflows: { name: string }[] }).workflows,
    );
    expect(after).toHaveLength(before);
    expect(after.map((w) => w.name)).not.toContain('Forged');
    // The same request from the console's own page but without the CSRF token is refused too.
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/workflows', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'No token', trigger: { type: 'manual' }, steps: [] }),
      });
      return response.status;
    });
    expect(status).toBe(403);
  });

  it('stays usable at 1024 px wide: nothing overflows sideways, the panel is on screen', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(workflowUrl);
    await page.getByRole('button', { name: 'Add step' }).first().waitFor();
    await page
      .getByRole('list', { name: 'Workflow steps' })
      .getByRole('button', { name: /Create or update customer/ })
      .click();
    const overflow = await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const tab = await page.getByRole('tab', { name: 'Properties' }).boundingBox();
    expect(tab).not.toBeNull();
    expect((tab?.x ?? 0) + (tab?.width ?? 0)).toBeLessThanOrEqual(1024);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out: the session ends on the server too', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in');
    const status = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(status).toBe(401);
  });
});
