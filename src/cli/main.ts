/** The `cioc` command line. Returns an exit code; never prints a stack trace at a user. */
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../errors.js';
import { registerAuthCommands } from './commands/auth.js';
import { completions, completionScript } from './commands/completion.js';
import type { EmulatorFlags } from './commands/emulator.js';
import { describeCommand, opsCommand, type OpsFlags } from './commands/ops.js';
import { registerOperationCommands } from './commands/operation.js';
import { registerWorkflowCommands } from './commands/workflow.js';
import { registerRemoteWorkflowCommands } from './commands/workflow-remote.js';
import { registerAccountCommands } from './commands/accounts.js';
import type { ServeFlags } from './commands/serve.js';
import { isHuman, printError, printUsageError, processIo, type Io } from './io.js';
import { VERSION } from '../version.js';

export function buildProgram(
  io: Io,
  argv: readonly string[],
  setExit: (code: number) => void = () => undefined,
): Command {
  const program = new Command('cioc')
    .description(
      'Customer.io connectors: Track, App and Beta operations, named authentications, and a local emulator.',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are printed as JSON by main(), not as commander's text.
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true);

  registerOperationCommands(program, io, argv);
  registerAuthCommands(program, io);
  registerWorkflowCommands(program, io, setExit);
  registerRemoteWorkflowCommands(program, io, setExit);
  registerAccountCommands(program, io);

  program
    .command('serve')
    .description('Run the HTTP API, the workflow engine and the triggers (see docs/server.md).')
    .option('--host <host>', 'address to listen on (env CIOC_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env CIOC_PORT; default 3000)')
    .option('--emulator-url <url>', 'where emulator-region authentications point (env CIOC_EMULATOR_URL)')
    .option('--concurrency <n>', 'runs executed at once (default 8)')
    .option('--keep-runs <n>', 'keep the newest N finished runs per workflow (env CIOC_KEEP_RUNS)')
    .option('--keep-days <n>', 'keep finished runs N days (env CIOC_KEEP_DAYS)')
    .action(async (flags: ServeFlags) => {
      // Loaded on demand: the server stack is not needed by any other command.
      const { serveCommand } = await import('./commands/serve.js');
      await serveCommand(io, flags);
    });

  program
    .command('ops')
    .description('List every operation, as the command that runs it.')
    .option('--json', 'print JSON')
    .option('--connector <connector>', 'only this connector (track, app, beta)')
    .option('--search <text>', 'only operations whose name, title, description or path has every word')
    .action((flags: OpsFlags) => {
      opsCommand(io, flags);
    });

  program
    .command('describe')
    .description('Show an operation: description, request, input schema, safety and examples.')
    .argument(
      '<operation...>',
      'operation id or command, e.g. track.track_custom_event or track track-custom-event',
    )
    .option('--json', 'print JSON')
    .action((words: string[], flags: { json?: boolean }) => {
      describeCommand(io, words, flags);
    });

  program
    .command('emulator')
    .description('Run the local Customer.io emulator (Track at /api, App at /v1, Beta at /v1/api).')
    .option('--port <port>', 'port to listen on (env CIOC_EMULATOR_PORT; default 4010)')
    .option('--host <host>', 'address to listen on (env CIOC_EMULATOR_HOST; default 127.0.0.1)')
    .option('--site-id <id>', 'workspace Site ID (env CIOC_EMULATOR_SITE_ID)')
    .option('--track-api-key <key>', 'workspace Track API key (env CIOC_EMULATOR_TRACK_API_KEY)')
    .option('--app-api-key <key>', 'workspace App API key (env CIOC_EMULATOR_APP_API_KEY)')
    .addOption(
      new Option(
        '--workspace-region <region>',
        'region the workspace lives in (env CIOC_EMULATOR_REGION)',
      ).choices(['us', 'eu']),
    )
    .option(
      '--rate-limit <limits>',
      'enforce rate limits like Customer.io, e.g. track=100,app=10 (requests/s; env CIOC_EMULATOR_RATE_LIMIT)',
    )
    .option(
      '--webhook-signing-key <key>',
      'signs the reporting webhooks the emulator sends (env CIOC_EMULATOR_WEBHOOK_SIGNING_KEY)',
    )
    .option(
      '--fixtures <file.json>',
      'answers for catalogue routes by operation id, e.g. {"app.list_campaigns": {...}} (env CIOC_EMULATOR_FIXTURES)',
    )
    .action(async (flags: EmulatorFlags) => {
      // Loaded on demand: the emulator's server stack is not needed by any other command.
      const { emulatorCommand } = await import('./commands/emulator.js');
      await emulatorCommand(io, flags);
    });

  program
    .command('completion')
    .description(
      'Print a shell completion script: source <(cioc completion bash), or zsh; cioc completion fish | source',
    )
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      io.stdout.write(completionScript(shell));
    });

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .action((words: string[]) => {
      const candidates = completions(io, words);
      if (candidates.length > 0) io.stdout.write(`${candidates.join('\n')}\n`);
    });

  return program;
}

export async function main(rawArgv: readonly string[], io: Io = processIo()): Promise<number> {
  // `cioc help app get-segment` is `cioc app get-segment --help` (commander's help takes one name).
  const argv =
    rawArgv[2] === 'help' && rawArgv.length > 3
      ? [...rawArgv.slice(0, 2), ...rawArgv.slice(3), '--help']
      : rawArgv;
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, argv, (code) => {
    exitCode = code;
  });
  // Errors as text for a person at a terminal; `--json` (anywhere before `--`) keeps them JSON.
  const human = isHuman(
    io,
    argv.slice(2, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json'),
  );
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // `cioc` or `cioc track` alone: commander already printed the help to stderr.
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync')
        return EXIT.usage;
      const message = error.message.replace(/^error:\s*/, '');
      printUsageError(io, message, { human });
      return EXIT.usage;
    }
    return printError(io, error, { human });
  }
}
