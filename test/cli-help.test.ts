/** Help that shows everything: `cioc help …`, generated help without spec markup, `ops`, `describe`. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { listOperations } from '../src/operations/registry.js';
import { plain } from '../src/cli/help-text.js';
import { flagsFor } from '../src/cli/schema-flags.js';
import type { Io } from '../src/cli/io.js';
import { cioc } from './support/cli.js';

/** Runs the CLI in-process; `tty` makes stdout a terminal of that many columns. */
async function inProcess(args: string[], tty?: number): Promise<{ code: number; stdout: string }> {
  const stdout = Object.assign(new PassThrough(), tty === undefined ? {} : { isTTY: true, columns: tty });
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const io: Io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
  const code = await main(['node', 'cioc', ...args], io);
  return { code, stdout: text };
}

describe('help', () => {
  it('`cioc help app` and `cioc help app get-segment` show what --help shows, exit 0', async () => {
    const viaHelp = await cioc(['help', 'app']);
    const viaFlag = await cioc(['app', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain('get-segment [options]');
    const one = await cioc(['help', 'app', 'get-segment']);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe((await cioc(['app', 'get-segment', '--help'])).stdout);
    expect(one.stdout).toContain('--segment-id <value>');
  });

  it('`cioc help` of a command that does not exist is a usage error, with a suggestion', async () => {
    const nope = await cioc(['help', 'nope']);
    expect(nope.code).toBe(2);
    expect(nope.stdout).toBe('');
    expect(JSON.parse(nope.stderr)).toEqual({
      error: { type: 'usage', message: "unknown command 'nope'\n(`cioc help` lists the commands.)" },
    });
    const appNope = await cioc(['help', 'app', 'nope']);
    expect(appNope.code).toBe(2);
    expect(JSON.parse(appNope.stderr)).toEqual({
      error: { type: 'usage', message: "unknown command 'nope'\n(`cioc help app` lists the commands.)" },
    });
    const near = await cioc(['help', 'app', 'list-segmets']);
    expect(near.code).toBe(2);
    expect(JSON.parse(near.stderr)).toMatchObject({
      error: { message: "unknown command 'list-segmets'\n(Did you mean list-segments?)" },
    });
    expect((await cioc(['help', 'ap'])).stderr).toContain('Did you mean app?');
    expect((await cioc(['help', 'auth', 'nope'])).code).toBe(2);
    // Words after a command without subcommands are its arguments: its help, as before.
    const describeHelp = await cioc(['help', 'describe', 'app.get_segment']);
    expect(describeHelp.code).toBe(0);
    expect(describeHelp.stdout).toContain('Usage: cioc describe');
  });

  it('every generated flag has a description, and no help carries spec markup', async () => {
    for (const op of listOperations()) {
      const name = op.id.slice(op.id.indexOf('.') + 1).replace(/_/g, '-');
      const { code, stdout } = await inProcess([op.connector, name, '--help']);
      expect(code, op.id).toBe(0);
      expect(stdout, op.id).not.toMatch(/\]\((#|\/)/);
      expect(stdout, op.id).not.toContain('**');
      // commander prints a flag without a description as the flag alone on its line.
      const bare = stdout
        .split('\n')
        .filter((line) => /^\s+--[a-z0-9-]+( <[a-z|@-]+>| \[true\|false\])?\s*$/.test(line));
      expect(bare, op.id).toEqual([]);
    }
    const batch = await inProcess(['track', 'send-batch', '--help']);
    expect(batch.stdout).toMatch(/--batch <json>\s+The operations, each as for send-entity/);
  });

  it('every flag of every operation has a description of its own, from its schema', () => {
    const missing: string[] = [];
    for (const op of listOperations())
      for (const spec of flagsFor(op.input))
        if (plain(spec.description).trim().length < 8) missing.push(`${op.id} --${spec.flag}`);
    expect(missing).toEqual([]);
  });

  it('no flag help is a placeholder pointing elsewhere', async () => {
    const { stdout } = await inProcess(['app', 'send-transactional-email', '--help']);
    expect(stdout).not.toContain('(fields: cioc describe');
    expect(stdout).toMatch(/--bcc <value>\s+Blind-copy recipients/);
    expect(stdout).toMatch(/--tracked \[true\|false\]\s+If true, Customer\.io tracks opens/);
  });

  it('`cioc describe` lists the sub-fields of an object field', async () => {
    const { stdout } = await inProcess(['describe', 'app.create_manual_segment']);
    expect(stdout).toContain(
      '  segment  (--segment): object; required\n      The manual segment to create: its `name` and a `description`.\n      · name: string; required\n            The name of the segment.\n      · description: string\n',
    );
    const batch = await inProcess(['describe', 'track.send_batch']);
    expect(batch.stdout).toContain('      · type: one of: person, object, delivery; required\n');
  });

  it('--site-id is offered where a Track Site ID applies, not on App or Beta', async () => {
    expect((await inProcess(['track', 'delete-customer', '--help'])).stdout).toContain('--site-id <id>');
    expect((await inProcess(['app', 'get-segment', '--help'])).stdout).not.toContain('--site-id');
    expect((await inProcess(['beta', 'get-segment', '--help'])).stdout).not.toContain('--site-id');
    const refused = await cioc(['app', 'list-segments', '--site-id', 'x']);
    expect(refused.code).toBe(2);
  });

  it('`cioc ops` fits a 100-column terminal, shows commands, and filters by --search and --connector', async () => {
    const all = await inProcess(['ops'], 100);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(200);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(all.stdout).toMatch(/^cioc app list-segments\s+List segments\s+read$/m);
    const found = await inProcess(['ops', '--search', 'suppress customer', '--connector', 'track']);
    expect(found.stdout).toMatch(/^cioc track suppress-customer /m);
    expect(found.stdout).not.toContain('cioc app');
    const json = await inProcess(['ops', '--search', 'list segments', '--json']);
    expect(JSON.parse(json.stdout)).toContainEqual(
      expect.objectContaining({ id: 'app.list_segments', command: 'cioc app list-segments' }),
    );
  });

  it('`cioc describe` reads as a field list with the output shape and CLI examples', async () => {
    const { code, stdout } = await inProcess(['describe', 'track', 'track-custom-event']);
    expect(code).toBe(0);
    expect(stdout).toContain('  cioc track track-custom-event\n');
    expect(stdout).toContain('  identifier  (--identifier): string; required; not empty\n');
    expect(stdout).toContain('  type  (--type): one of: event, page, screen\n');
    expect(stdout).toContain('Output:\n  id: string; required');
    expect(stdout).toContain(
      '  cioc track track-custom-event --identifier 42 --name purchase --data \'{"price":23.45,"product":"socks"}\' --auth <name>',
    );
    expect(stdout).toContain('  cioc run track.track_custom_event --auth <name> --input ');
    for (const noise of ['patternProperties', 'anyOf', '"const"', '](']) expect(stdout).not.toContain(noise);
    const byId = await inProcess(['describe', 'track.track_custom_event']);
    expect(byId.stdout).toBe(stdout);
  });
});
