/** `cioc emulator` for a newcomer: a banner whose "try it" works pasted as is, and a clear port clash. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, cioc } from './support/cli.js';

function startEmulator(): Promise<{ banner: string; stop: () => void }> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C stops.')) resolve({ banner: out, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', () => {
      reject(new Error(`emulator exited: ${out}`));
    });
  });
}

describe('cioc emulator for a newcomer', () => {
  it('shows the full default credentials, and its "try it" lines work as pasted', async () => {
    const { banner, stop } = await startEmulator();
    try {
      expect(banner).toContain('Site ID emulator-site-id, Track API key emulator-track-key');
      expect(banner).toContain('App API key emulator-app-key');
      const exportLine = /^ {2}export (.+)$/m.exec(banner)?.[1] ?? '';
      const env = Object.fromEntries(
        exportLine.split(' ').map((pair) => pair.split('=') as [string, string]),
      );
      expect(Object.keys(env)).toEqual([
        'CIOC_REGION',
        'CIOC_EMULATOR_URL',
        'CIOC_SITE_ID',
        'CIOC_TRACK_API_KEY',
        'CIOC_APP_API_KEY',
      ]);
      const commands = [...banner.matchAll(/^ {2}cioc (.+)$/gm)].map((m) => (m[1] ?? '').split(' '));
      expect(commands).toHaveLength(2);
      for (const args of commands) {
        const result = await cioc(args, { env });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      const last = await cioc(commands[1] ?? [], { env });
      expect(JSON.parse(last.stdout)).toMatchObject({
        customer: { identifiers: { email: 'ada@example.com' } },
      });
    } finally {
      stop();
    }
  });

  it('a port in use is a clear error naming the port and the flag, exit 3', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    try {
      const result = await cioc(['emulator', '--port', String(port)]);
      expect(result.code).toBe(3);
      expect(JSON.parse(result.stderr)).toEqual({
        error: {
          type: 'config',
          message: `Port ${String(port)} on 127.0.0.1 is already in use (another emulator?).`,
          hint: 'Choose another with --port <n> (or CIOC_EMULATOR_PORT), or --port 0 for any free port.',
        },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
