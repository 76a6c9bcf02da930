/**
 * The built console at `/` (a fixture stands in for Vite's output), the security headers on every
 * answer, and https as seen directly or through a trusted proxy (the cookie's Secure flag, HSTS).
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../src/server/security-headers.js';
import { browser } from './support/browser.js';
import { rawRequest } from './support/raw-http.js';
import { startServer } from './support/server.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div></body></html>\n';
const APP = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;

function fixture(): string {
  const base = mkdtempSync(join(tmpdir(), 'cioc-console-'));
  const dir = join(base, 'console');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), APP);
  writeFileSync(join(dir, 'assets', 'app-abc123.js.br'), brotliCompressSync(APP));
  writeFileSync(join(dir, 'assets', 'app-abc123.js.gz'), gzipSync(APP));
  writeFileSync(join(dir, 'assets', 'plain.css'), 'body{}');
  // Beside the console, not in it: never served.
  writeFileSync(join(base, 'secret.txt'), 'not for the web');
  symlinkSync(join(base, 'secret.txt'), join(dir, 'assets', 'link.txt'));
  return dir;
}

const dir = fixture();
const api = await startServer({ consoleDir: dir });
const port = Number(new URL(api.url).port);

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.url}${path}`, { headers });
}

describe('the console files', () => {
  it('serves index.html at / (revalidated) and for client-side routes, but not for the API, hooks or assets', async () => {
    const root = await get('/', { accept: 'text/html' });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(await root.text()).toBe(INDEX);
    const route = await get('/workflows/wf_123', { accept: 'text/html,application/xhtml+xml' });
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    expect((await get('/index.html')).status).toBe(200);

    const api404 = await get('/api/nothing', { accept: 'text/html' });
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: { type: 'not_found' } });
    expect((await get('/hooks/wf_1/token', { accept: 'text/html' })).status).toBe(404);
    expect((await get('/assets/missing.js', { accept: 'text/html' })).status).toBe(404);
    expect((await get('/missing.png', { accept: 'image/png' })).status).toBe(404);
    expect((await fetch(`${api.url}/workflows/wf_1`, { method: 'POST' })).status).toBe(404);
  });

  it('caches hashed assets for a year and sends the .br or .gz beside a file when accepted', async () => {
    const plain = await get('/assets/app-abc123.js', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    expect(await plain.text()).toBe(APP);
    // fetch decodes what it is sent: the encoding header and the bytes on the wire tell which file it was.
    const br = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(Number(br.headers.get('content-length'))).toBe(brotliCompressSync(APP).length);
    expect(await br.text()).toBe(APP);
    const gz = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(APP);
    const css = await get('/assets/plain.css', { 'accept-encoding': 'gzip, br' });
    expect(css.headers.get('content-encoding')).toBeNull();
    expect(await css.text()).toBe('body{}');
    const icon = await get('/favicon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('never reads outside its folder, however the path is spelt', async () => {
    // The same raw request for a file inside is answered: the refusals below are not an accident.
    const inside = await rawRequest(port, 'GET /assets/%70lain.css HTTP/1.1\r\nHost: 127.0.0.1');
    expect(inside).toMatchObject({ status: 200, body: 'body{}' });
    for (const target of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/assets/link.txt',
      '/assets/app-abc123.js%00.png',
      '/%E0%A4%A',
    ]) {
      const answer = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain`,
      );
      expect(answer.body, target).not.toContain('not for the web');
      expect([400, 404], target).toContain(answer.status);
    }
  });

  it('says plainly when the console is not built', async () => {
    const empty = await startServer({
      consoleDir: join(mkdtempSync(join(tmpdir(), 'cioc-none-')), 'console'),
    });
    const page = await fetch(`${empty.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    const text = await page.text();
    expect(text).toContain('The cioc console is not built');
    expect(text).toContain('npm run build');
    expect(text).not.toMatch(/<style|<script|style=/);
    expect((await fetch(`${empty.url}/api/health`)).status).toBe(200);
  });
});

describe('security headers', () => {
  it('are on API answers, errors, the console and the docs; HSTS only over https', async () => {
    for (const [path, status] of [
      ['/api/health', 200],
      ['/api/workflows', 401],
      ['/api/nothing', 404],
      ['/', 200],
      ['/assets/app-abc123.js', 200],
      ['/api/docs', 200],
    ] as const) {
      const answer = await get(path, { accept: 'text/html' });
      expect(answer.status, path).toBe(status);
      expect(answer.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(answer.headers.get('x-frame-options'), path).toBe('DENY');
      expect(answer.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(answer.headers.get('permissions-policy'), path).toMatch(/camera=\(\)/);
      expect(answer.headers.get('strict-transport-security'), path).toBeNull();
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it('leave the docs page working under the CSP: no inline style or script, its stylesheet served', async () => {
    const page = await (await get('/api/docs')).text();
    expect(page).not.toMatch(/<style|<script|\sstyle=|\son[a-z]+=/i);
    expect(page).toContain('<link rel="stylesheet" href="/api/docs.css">');
    const css = await get('/api/docs.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('border-collapse');
  });
});

describe('https', () => {
  it('believes X-Forwarded-Proto only with trustProxy: Secure cookie and HSTS then', async () => {
    const direct = await startServer({ consoleDir: null });
    const proxied = await startServer({ consoleDir: null, trustProxy: true });
    for (const server of [direct, proxied]) {
      await server.user('ada@example.com');
    }
    const forwarded = { 'x-forwarded-proto': 'https' };

    const plain = browser(direct);
    await plain.call('POST', '/api/session', {
      body: { email: 'ada@example.com', password: 'a long password' },
      headers: forwarded,
    });
    expect(plain.setCookie).toMatch(/HttpOnly; SameSite=Lax/);
    expect(plain.setCookie).not.toMatch(/Secure/);
    expect(
      (await direct.call('GET', '/api/health', { headers: forwarded })).headers.get(
        'strict-transport-security',
      ),
    ).toBeNull();

    const behind = browser(proxied);
    // The browser's Origin is the public https one the proxy forwarded.
    const signedIn = await behind.call('POST', '/api/session', {
      body: { email: 'ada@example.com', password: 'a long password' },
      headers: {
        ...forwarded,
        'x-forwarded-host': 'console.example.com',
        origin: 'https://console.example.com',
      },
    });
    expect(signedIn.status).toBe(200);
    expect(behind.setCookie).toMatch(/; Secure$/);
    expect(signedIn.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
