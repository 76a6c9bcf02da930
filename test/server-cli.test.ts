/**
 * The server from the command line: `cioc user create`, `cioc token create`, `cioc serve`, and
 * `cioc workflow push|list|trigger|runs|replay` against it. The CLI user CIOC_USER=<email> and the
 * server's user of that email are one person: an authentication made with `cioc auth create` is
 * the one the server's workflow uses.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cioc, freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url: emulatorUrl } = await useEmulator();

/** Starts `cioc serve --port 0` and resolves with its origin once it prints it. */
function serve(env: Record<string, string>): Promise<{ origin: string; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Console\s+(http:\/\/\S+)/m.exec(out);
      if (match?.[1] !== undefined)
        resolve({
          origin: match[1],
          stop: () =>
            new Promise((done) => {
              child.on('close', done);
              child.kill('SIGTERM');
            }),
        });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      reject(new Error(`cioc serve exited ${String(code)}: ${out}`));
    });
  });
}

describe('cioc serve and the remote workflow commands', () => {
  it('creates a user and a token, serves, and pushes, runs, lists and replays the example', async () => {
    const home = freshHome();
    const env = { CIOC_HOME: home, CIOC_EMULATOR_URL: emulatorUrl };
    const user = await cioc(['user', 'create', '--email', 'Ada@Example.com', '--password-stdin'], {
      env,
      stdin: 'a long password\n',
    });
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'ada@example.com', role: 'admin' });
    const again = await cioc(['user', 'create', '--email', 'ada@example.com', '--password-stdin'], {
      env,
      stdin: 'another password',
    });
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stderr).error.message).toMatch(/already exists/);

    const noPassword = await cioc(['user', 'create', '--email', 'bob@example.com'], { env });
    expect(noPassword.code).toBe(2);
    expect(JSON.parse(noPassword.stderr).error.message).toMatch(/--password-stdin/);

    // The same person on the CLI creates the authentication the workflow names.
    const auth = await cioc(
      [
        'auth',
        'create',
        '--name',
        'Emulator Track',
        '--connector',
        'track',
        '--region',
        'emulator',
        '--site-id',
        CREDENTIALS.track.siteId,
        '--api-key-stdin',
      ],
      { env: { ...env, CIOC_USER: 'ada@example.com' }, stdin: CREDENTIALS.track.apiKey },
    );
    expect(auth.code, auth.stderr).toBe(0);

    const created = await cioc(['token', 'create', '--user', 'ada@example.com', '--name', 'cli'], { env });
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^cioc_/);
    const tokens = await cioc(['token', 'list', '--user', 'ada@example.com'], { env });
    expect(tokens.stdout).not.toContain(token);

    const server = await serve(env);
    try {
      const remote = { ...env, CIOC_SERVER: server.origin, CIOC_TOKEN: token };
      const pushed = await cioc(['workflow', 'push', 'docs/examples/welcome.workflow.json'], { env: remote });
      expect(pushed.code, pushed.stderr).toBe(0);
      const workflow = JSON.parse(pushed.stdout) as { id: string; version: number };
      expect(workflow.version).toBe(1);
      const repushed = await cioc(['workflow', 'push', 'docs/examples/welcome.workflow.json'], {
        env: remote,
      });
      expect(JSON.parse(repushed.stdout)).toMatchObject({ id: workflow.id, version: 1 });

      const run = await cioc(
        [
          'workflow',
          'trigger',
          workflow.id,
          '--wait',
          '--input',
          '{"id":"77","email":"cli@example.com","plan":"pro"}',
        ],
        { env: remote },
      );
      expect(run.code, run.stderr).toBe(0);
      const view = JSON.parse(run.stdout) as { id: string; status: string };
      expect(view.status).toBe('succeeded');
      expect(emulator.state.people.find((p) => p.id === '77')?.email).toBe('cli@example.com');

      const list = await cioc(['workflow', 'list'], { env: remote });
      expect(JSON.parse(list.stdout).workflows).toMatchObject([
        { id: workflow.id, name: 'Welcome a new customer' },
      ]);
      const runs = await cioc(['workflow', 'runs', workflow.id], { env: remote });
      expect(JSON.parse(runs.stdout).runs).toMatchObject([{ id: view.id }]);
      const one = await cioc(['workflow', 'runs', '--run', view.id], { env: remote });
      expect(JSON.parse(one.stdout).steps).toHaveLength(2);
      const replay = await cioc(['workflow', 'replay', view.id, '--wait'], { env: remote });
      expect(JSON.parse(replay.stdout)).toMatchObject({ replay_of: view.id, status: 'succeeded' });

      const denied = await cioc(['workflow', 'list'], { env: { ...remote, CIOC_TOKEN: 'cioc_wrong' } });
      expect(denied.code).toBe(3);
      expect(JSON.parse(denied.stderr).error).toMatchObject({ type: 'unauthorized', status: 401 });
      const missing = await cioc(['workflow', 'runs', 'nope'], { env: remote });
      expect(missing.code).toBe(4);
      expect(JSON.parse(missing.stderr).error).toMatchObject({ type: 'not_found', status: 404 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const down = await cioc(['workflow', 'list'], {
      env: { ...env, CIOC_SERVER: server.origin, CIOC_TOKEN: token },
    });
    expect(down.code).toBe(5);
    expect(JSON.parse(down.stderr).error.type).toBe('connection');
  }, 180_000);
});
