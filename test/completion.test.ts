/** Shell completion: enum flag values, connector-accurate flags, and a fish script. */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Command, Option } from 'commander';
import { completions } from '../src/cli/commands/completion.js';
import type { Io } from '../src/cli/io.js';
import { buildProgram } from '../src/cli/main.js';
import { cioc } from './support/cli.js';

const words = async (...w: string[]) => (await cioc(['__complete', '--', ...w])).stdout.trim().split('\n');

/** The whole CLI program (every command group loaded) and the quiet Io it was built with. */
async function fullProgram(): Promise<{ io: Io; program: Command }> {
  const io: Io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
  return { io, program: await buildProgram(io, ['node', 'cioc'], () => undefined, { loadAll: true }) };
}

describe('completion', () => {
  it('completes the values of enum flags', async () => {
    expect(await words('app', 'raw-http-request', '--method', '')).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ]);
    expect(await words('app', 'raw-http-request', '--body-type', '')).toEqual([
      'none',
      'json',
      'raw',
      'form_urlencoded',
    ]);
    expect(await words('track', 'track-custom-event', '--type', 'p')).toEqual(['page']);
    expect(await words('app', 'list-segments', '--region', 'e')).toEqual(['eu', 'emulator']);
  });

  it('completes enum values case-insensitively, as the CLI takes them', async () => {
    expect(await words('app', 'raw-http-request', '--method', 'g')).toEqual(['GET']);
    expect(await words('app', 'raw-http-request', '--method', 'Pa')).toEqual(['PATCH']);
    expect(await words('track', 'track-custom-event', '--type', 'P')).toEqual(['page']);
  });

  it("completes every enum flag of the CLI's own commands with exactly its choices", async () => {
    expect(await words('auth', 'create', '--scope', '')).toEqual(['personal', 'organisational']);
    expect(await words('emulator', '--workspace-region', '')).toEqual(['us', 'eu']);
    const { io, program } = await fullProgram();
    const checked: string[] = [];
    const walk = async (command: Command, path: string[]): Promise<void> => {
      for (const option of command.options) {
        const choices = (option as Option & { argChoices?: string[] }).argChoices;
        if (choices === undefined || option.long === undefined) continue;
        expect(await completions(io, [...path, option.long, '']), [...path, option.long].join(' ')).toEqual(
          choices,
        );
        checked.push([...path, option.long].join(' '));
      }
      for (const sub of command.commands) await walk(sub, [...path, sub.name()]);
    };
    await walk(program, []);
    expect(checked).toEqual(
      expect.arrayContaining(['auth create --scope', 'auth list --connector', 'emulator --workspace-region']),
    );
  });

  it("offers every command's subcommands and flags, as the real program has them", async () => {
    const { io, program } = await fullProgram();
    const visible = (command: Command) => command.commands.filter((c) => !c.name().startsWith('__'));
    expect(await completions(io, [''])).toEqual(visible(program).map((c) => c.name()));
    let checked = 0;
    for (const top of visible(program)) {
      if (['track', 'app', 'beta'].includes(top.name())) continue; // operation commands: tested above
      const commands = visible(top).length > 0 ? visible(top).map((c) => [top, c]) : [[top]];
      if (visible(top).length > 0)
        expect(await completions(io, [top.name(), ''])).toEqual(visible(top).map((c) => c.name()));
      for (const path of commands) {
        const names = path.map((c) => c.name());
        const longs = path
          .at(-1)
          ?.options.filter((o) => !o.hidden && o.long !== undefined)
          .map((o) => o.long);
        expect(await completions(io, [...names, '--']), names.join(' ')).toEqual([
          ...(longs ?? []),
          '--help',
        ]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    // A positional argument to come: nothing, so the shell offers its files.
    expect(await completions(io, ['import', 'people', ''])).toEqual([]);
    expect(await completions(io, ['import', ''])).toEqual(['people', 'events', 'objects']);
    expect(await completions(io, ['ops', '--connector', ''])).toEqual(['track', 'app', 'beta']);
  });

  it('offers the flags each command has: --site-id on Track only, --all on listings', async () => {
    const app = await words('app', 'list-customers-in-segment', '--');
    expect(app).toEqual(expect.arrayContaining(['--segment-id', '--all', '--max-pages', '--json']));
    expect(app).not.toContain('--site-id');
    const track = await words('track', 'delete-customer', '--');
    expect(track).toContain('--site-id');
    expect(track).not.toContain('--all');
  });

  it('prints a fish script', async () => {
    const fish = await cioc(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c cioc -f -a '(__cioc_complete)'");
    expect(fish.stdout).toContain('cioc __complete -- $words[2..-1]');
    expect(await words('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect((await cioc(['completion', 'tcsh'])).code).toBe(2);
  });
});
