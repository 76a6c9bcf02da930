/** docs/store.md's example is docs/examples/store.js, and it runs as is against the built package. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the store library example', () => {
  it('is the copy in docs/store.md, and runs: creates, lists, tests and uses an authentication', () => {
    const example = readFileSync(resolve('docs/examples/store.js'), 'utf8');
    expect(readFileSync(resolve('docs/store.md'), 'utf8')).toContain(`\`\`\`js\n${example}\`\`\``);
    const run = spawnSync(process.execPath, ['docs/examples/store.js'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'prod-track track personal emulator …-key',
      'OK: the Track credentials work; the account (workspace 1) is in the US region.',
      'people in the emulator: 1',
      '',
    ]);
  });
});
