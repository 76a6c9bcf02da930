/**
 * `cioc serve --emulator` (what `npm start` runs) as a child process: both URLs printed, the
 * console's API pointing emulator-region authentications at the emulator it started, Ctrl-C
 * closing both; and a port already in use as one clear line.
 */
import { request as httpRequest } from 'node:http';
import { spawn } from 'node:child_process';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, cioc, freshHome } from './support/cli.js';
import { CREDENTIALS } from './support/emulator.js';

interface Served {
  console: string;
  emulator: string;
  out: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

function serve(args: string[], env: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let closed: number | null | undefined;
    const waiting: ((code: number | null) => void)[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const consoleUrl = /^Console\s+(http:\/\/\S+)/m.exec(out)?.[1];
      const emulatorUrl = /^Emulator\s+(http:\/\/\S+)/m.exec(out)?.[1];
      if (consoleUrl !== undefined && emulatorUrl !== undefined)
        resolve({
          console: consoleUrl,
          emulator: emulatorUrl,
          out: () => out,
          stop: (signal = 'SIGINT') =>
            new Promise((done) => {
              if (closed !== undefined) done(closed);
              else {
                waiting.push(done);
                child.kill(signal);
              }
            }),
        });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      closed = code;
      for (const done of waiting) done(code);
      reject(new Error(`cioc serve exited ${String(code)}: ${out}`));
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** A POST with a Host header of our choosing (fetch does not let a page or a test set it). */
function rawPost(url: string, host: string, body: unknown): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const port = Number(target.port);
    const origin = `http://${host}:${String(port)}`;
    const req = httpRequest(
      {
        host: target.hostname,
        port,
        path: target.pathname,
        method: 'POST',
        headers: { host: `${host}:${String(port)}`, origin, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('cioc serve --emulator', () => {
  it('prints both URLs; an emulator-region authentication made through the console passes its test', async () => {
    const served = await serve(['--port', '0', '--emulator', '--emulator-port', '0'], {
      CIOC_HOME: freshHome(),
    });
    try {
      expect(served.out()).toMatch(/^Console {3}http:\/\/127\.0\.0\.1:\d+$/m);
      expect(served.out()).toMatch(/^Emulator {2}http:\/\/127\.0\.0\.1:\d+ /m);
      // The embedded emulator's keys are public test values, printed in full for the console's
      // "New authentication" modal.
      expect(served.out()).toContain(`Track API key ${CREDENTIALS.track.apiKey}`);
      expect(served.out()).toContain(`App API key ${CREDENTIALS.app.apiKey}`);
      expect((await json(`${served.emulator}/__emulator/health`)).status).toBe(200);
      const config = await json(`${served.console}/api/console/config`);
      expect(config.body.emulatorUrl).toBe(served.emulator);

      // DNS rebinding: a page on another name resolving to 127.0.0.1 cannot claim the first account.
      const rebound = await rawPost(`${served.console}/api/setup`, 'rebind.attacker.example', {
        email: 'mallory@example.com',
        password: 'a long password',
      });
      expect(rebound.status).toBe(421);
      expect((JSON.parse(rebound.body) as { error: { message: string } }).error.message).toMatch(
        /does not answer to the host name "rebind\.attacker\.example"/,
      );
      expect((await json(`${served.console}/api/setup`)).body).toEqual({ required: true });

      const origin = { 'content-type': 'application/json', origin: served.console };
      const setup = await fetch(`${served.console}/api/setup`, {
        method: 'POST',
        headers: origin,
        body: JSON.stringify({ email: 'ada@example.com', password: 'a long password' }),
      });
      expect(setup.status).toBe(201);
      const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const { csrfToken } = (await setup.json()) as { csrfToken: string };
      const session = { ...origin, cookie, 'x-csrf-token': csrfToken };
      const created = await json(`${served.console}/api/authentications`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({
          name: 'Local Track',
          connector: 'track',
          region: 'emulator',
          credentials: { site_id: CREDENTIALS.track.siteId, api_key: CREDENTIALS.track.apiKey },
        }),
      });
      expect(created.status).toBe(201);
      const tested = await json(`${served.console}/api/authentications/${created.body.id as string}/test`, {
        method: 'POST',
        headers: session,
      });
      expect(tested.body).toMatchObject({ ok: true });
    } finally {
      expect(await served.stop('SIGINT')).toBe(0);
    }
    // Ctrl-C closed both.
    await expect(fetch(`${served.emulator}/__emulator/health`)).rejects.toThrow();
    await expect(fetch(`${served.console}/api/health`)).rejects.toThrow();
  });

  it('says in one line which port is taken, and exits 2', async () => {
    const taken: NetServer = createNetServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = String((taken.address() as { port: number }).port);
    try {
      for (const args of [
        ['--port', port],
        ['--port', '0', '--emulator', '--emulator-port', port],
      ]) {
        const result = await cioc(['serve', ...args], { env: { CIOC_HOME: freshHome() } });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(JSON.parse(result.stderr).error.message).toBe(
          `Port ${port} on 127.0.0.1 is already in use: stop what uses it, or choose another port with ${args.includes('--emulator') ? '--emulator-port' : '--port'}`,
        );
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});
