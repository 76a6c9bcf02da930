/**
 * The `cioc` command line. Returns an exit code; never prints a stack trace at a user.
 *
 * Start-up loads only what the command needs: the command groups (operations, auth, workflows,
 * accounts) are imported when the command line names them, and stand-ins with the same name,
 * description and usage term take their place in the help. `cioc --help` and shell completion
 * load no schema, HTTP client or database.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { CONNECTORS } from '../connectors.js';
import { EXIT } from '../errors.js';
import { closest } from '../closest.js';
import { CONNECTOR_IDS } from '../regions.js';
import type { EmulatorFlags } from './commands/emulator.js';
import type { ServeFlags } from './commands/serve.js';
import { isHuman, printError, printUsageError, processIo, type Io } from './io.js';
import { VERSION } from '../version.js';

type SetExit = (code: number) => void;

/** A group of top-level commands defined in a module of its own, loaded only when named. */
interface CommandGroup {
  /** The top-level commands it registers, in help order. */
  readonly names: readonly string[];
  register(program: Command, io: Io, argv: readonly string[], setExit: SetExit): Promise<void>;
  /** Help-only stand-ins: the same names, descriptions and usage terms, nothing loaded. */
  stubs(program: Command): void;
}

const GROUPS: readonly CommandGroup[] = [
  {
    names: [...CONNECTOR_IDS, 'run'],
    async register(program, io, argv) {
      (await import('./commands/operation.js')).registerOperationCommands(program, io, argv);
    },
    stubs(program) {
      for (const connector of CONNECTOR_IDS) {
        const def = CONNECTORS[connector];
        program.command(connector).description(`${def.title} ${def.version}: ${def.description}`);
      }
      program
        .command('run')
        .description(
          'Run an operation by id with a JSON input, e.g. cioc run track.delete_customer --input \'{"identifier":"42"}\'',
        )
        .argument('<operation>', 'operation id, e.g. track.create_or_update_customer')
        // Only for the usage term ("run [options] <operation>"): `cioc run …` loads the real one.
        .addOption(new Option('--input <json|@file|->').hideHelp());
    },
  },
  {
    names: ['auth'],
    async register(program, io) {
      (await import('./commands/auth.js')).registerAuthCommands(program, io);
    },
    stubs(program) {
      program
        .command('auth')
        .description('Named authentications: create, list, show, update, delete, test, default.');
    },
  },
  {
    names: ['workflow'],
    async register(program, io, _argv, setExit) {
      (await import('./commands/workflow.js')).registerWorkflowCommands(program, io, setExit);
      (await import('./commands/workflow-remote.js')).registerRemoteWorkflowCommands(program, io, setExit);
    },
    stubs(program) {
      program
        .command('workflow')
        .description('Validate and run workflow documents (steps chained into runs).');
    },
  },
  {
    names: ['import'],
    async register(program, io, _argv, setExit) {
      (await import('./commands/import.js')).registerImportCommands(program, io, setExit);
    },
    stubs(program) {
      program
        .command('import')
        .description(
          'Import a CSV or NDJSON file of people, events or objects: batched, exactly once, resumable (see docs/import.md)',
        )
        .argument('<kind>', 'people, events or objects')
        .argument('<file>', 'a .csv/.tsv/.ndjson/.jsonl file (gzip too), or - for standard input')
        // Only for the usage term ("import [options] <kind> <file>").
        .addOption(new Option('--format <format>').hideHelp());
    },
  },
  {
    names: ['user', 'token'],
    async register(program, io) {
      (await import('./commands/accounts.js')).registerAccountCommands(program, io);
    },
    stubs(program) {
      program.command('user').description('Accounts of the server (and of the CLI, as CIOC_USER=<email>).');
      program.command('token').description('API tokens for the server (Authorization: Bearer …).');
    },
  },
];

/** The command a command line names (`cioc help <command>` names `<command>`). */
function targetOf(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((word) => !word.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for a command line: the group it names is loaded and registered for real, the
 * others as stand-ins. `loadAll` registers every group for real (tests compare the help).
 */
export async function buildProgram(
  io: Io,
  argv: readonly string[],
  setExit: SetExit = () => undefined,
  options: { loadAll?: boolean } = {},
): Promise<Command> {
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

  const target = targetOf(argv);
  for (const group of GROUPS) {
    if (options.loadAll === true || (target !== undefined && group.names.includes(target)))
      await group.register(program, io, argv, setExit);
    else group.stubs(program);
  }

  program
    .command('serve')
    .description(
      'Run the web console, the HTTP API, the workflow engine and the triggers (see docs/server.md).',
    )
    .option('--host <host>', 'address to listen on (env CIOC_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env CIOC_PORT; default 3000)')
    .option(
      '--emulator',
      'also run the Customer.io emulator in-process; emulator-region authentications use it',
    )
    .option('--emulator-port <port>', 'with --emulator: its port on 127.0.0.1 (default 4010)')
    .option('--emulator-url <url>', 'where emulator-region authentications point (env CIOC_EMULATOR_URL)')
    .option(
      '--trust-proxy',
      'behind a reverse proxy: believe X-Forwarded-For/-Proto/-Host (client IP, https for Secure cookies)',
    )
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
    .addOption(
      new Option('--connector <connector>', 'only this connector (track, app, beta)').choices(CONNECTOR_IDS),
    )
    .option('--search <text>', 'only operations whose name, title, description or path has every word')
    .action(async (flags: { json?: boolean; connector?: string; search?: string }) => {
      (await import('./commands/ops.js')).opsCommand(io, flags);
    });

  program
    .command('describe')
    .description('Show an operation: description, request, input schema, safety and examples.')
    .argument(
      '<operation...>',
      'operation id or command, e.g. track.track_custom_event or track track-custom-event',
    )
    .option('--json', 'print JSON')
    .action(async (words: string[], flags: { json?: boolean }) => {
      (await import('./commands/ops.js')).describeCommand(io, words, flags);
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
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: string) => {
      io.stdout.write((await import('./commands/completion.js')).completionScript(shell));
    });

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    // bin/cioc.js answers `cioc __complete` without this program; this serves main() in-process.
    .action(async (words: string[]) => {
      setExit(await (await import('./commands/completion.js')).completeCommand(words, io));
    });

  return program;
}

/**
 * `cioc help <words…>` names commands that exist: `cioc help nope` and `cioc help app nope` are the
 * usage error `cioc app nope` is (exit 2, "Did you mean …?"), not the parent's help. Words after a
 * command without subcommands are its arguments (`cioc help describe app.get_segment`).
 */
function checkHelpTopic(program: Command, words: readonly string[]): void {
  let command = program;
  const path: string[] = [];
  for (const word of words) {
    if (word.startsWith('-') || command.commands.length === 0) return;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub === undefined) {
      const names = command.commands.map((c) => c.name()).filter((name) => !name.startsWith('__'));
      const suggestion = closest(word, names);
      return command.error(
        `unknown command '${word}'\n(${
          suggestion === undefined
            ? `\`cioc help${path.map((p) => ` ${p}`).join('')}\` lists the commands.`
            : `Did you mean ${suggestion}?`
        })`,
        { code: 'commander.unknownCommand', exitCode: EXIT.usage },
      );
    }
    command = sub;
    path.push(word);
  }
}

export async function main(rawArgv: readonly string[], io: Io = processIo()): Promise<number> {
  // `cioc help app get-segment` is `cioc app get-segment --help` (commander's help takes one name).
  const argv =
    rawArgv[2] === 'help' && rawArgv.length > 3
      ? [...rawArgv.slice(0, 2), ...rawArgv.slice(3), '--help']
      : rawArgv;
  let exitCode: number = EXIT.ok;
  // Errors as text for a person at a terminal; `--json` (anywhere before `--`) keeps them JSON.
  const human = isHuman(
    io,
    argv.slice(2, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json'),
  );
  try {
    const program = await buildProgram(io, argv, (code) => {
      exitCode = code;
    });
    if (argv !== rawArgv) checkHelpTopic(program, rawArgv.slice(3));
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
