/**
 * `cioc <connector> <operation>` commands, generated from the registry: flags from the input
 * schema, help from the title, description and examples. Also `cioc run <op-id>`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createClient, encodeValid, type Client } from '../../client.js';
import { CONNECTORS } from '../../connectors.js';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { findOperation, listOperations } from '../../operations/registry.js';
import { operationForCli } from './ops.js';
import type { AnyOperation } from '../../operations/types.js';
import { paginationOf } from '../../operations/pagination.js';
import { CONNECTOR_IDS, REGIONS, type ConnectorId } from '../../regions.js';
import { plain } from '../help-text.js';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { needsSplit, sendSplitBatch, validateSplit } from '../batch-split.js';
import { parseIntegerFlag, readInput } from '../input.js';
import { isHuman, printJson, type Io } from '../io.js';
import { Progress } from '../progress.js';
import { DEFAULT_TIMEOUT_MS, type LogEntry } from '../../transport/transport.js';
import { OUTPUT_FORMATS, printOutput } from '../output.js';
import { camel, exampleCommand, flagsFor, kebab, parseFlagValue, type FlagSpec } from '../schema-flags.js';

export interface CommonFlags extends ConnectionFlags {
  input?: string;
  dryRun?: boolean;
  timeout?: string;
  maxRetries?: string;
  output?: string;
  verbose?: boolean;
  all?: boolean;
  maxPages?: string;
  json?: boolean;
}

/** The flags every operation command shares (`--site-id` only where a Track Site ID can apply). */
function addCommonOptions(command: Command, connector: ConnectorId | undefined): Command {
  command
    .option(
      '--input <json|@file|->',
      'the whole input as JSON: inline, @file.json, or - for standard input (flags override its fields)',
    )
    .option('--auth <name>', 'a named authentication (see `cioc auth list`)');
  if (connector === undefined || connector === 'track')
    command.option('--site-id <id>', 'Track Site ID (instead of --auth)');
  return command
    .option('--api-key <key>', 'API key (instead of --auth; prefer --api-key-stdin)')
    .option('--api-key-stdin', 'read the API key from standard input')
    .addOption(
      new Option(
        '--region <region>',
        'us, eu or emulator (overrides the authentication; env CIOC_REGION)',
      ).choices(REGIONS),
    )
    .option('--base-url <url>', 'base-URL override (env CIOC_BASE_URL)')
    .option(
      '--allow-custom-base-url',
      "let --base-url / CIOC_BASE_URL send a stored us/eu authentication's key to a host other than Customer.io",
    )
    .option('--dry-run', 'print the request (auth redacted) and the credential source; send nothing')
    .option('--timeout <ms>', 'per-attempt timeout in milliseconds (default 10000)')
    .option(
      '--max-retries <n>',
      'retries of transient failures (default 3; sends that cannot be deduplicated are never resent once they may have arrived)',
    )
    .addOption(new Option('--output <format>', 'json (default), ndjson or table').choices(OUTPUT_FORMATS))
    .option('--verbose', 'log each request (redacted) and each retry decision to stderr')
    .option('--json', 'machine output on a terminal too: errors as JSON, no progress lines');
}

function addPagingOptions(command: Command): Command {
  return command
    .option(
      '--all',
      'follow the pages: every item, one JSON line each (NDJSON; with --output table or json, one table or array)',
    )
    .option('--max-pages <n>', 'with --all, stop after this many pages (default 1000)');
}

export async function runOperation(
  io: Io,
  operation: AnyOperation,
  input: unknown,
  flags: CommonFlags,
): Promise<void> {
  const timeoutMs = parseIntegerFlag('--timeout', flags.timeout, 1, 3_600_000);
  const maxRetries = parseIntegerFlag('--max-retries', flags.maxRetries, 0, 10);
  if (flags.apiKey !== undefined) {
    io.stderr.write(
      'warning: a secret given as a flag value can end up in shell history and process lists; prefer --auth or --api-key-stdin.\n',
    );
  }
  // Bad input is reported (exit 2) before anything else is looked at or sent. A batch over one
  // request's size is checked item by item, then split (../batch-split.ts).
  const split = needsSplit(operation, input);
  if (split) validateSplit(operation, input);
  else encodeValid(operation, input);
  const connection = await resolveConnection(operation.connector, flags, io);
  const progress = new Progress(io, {
    human: isHuman(io, flags.json),
    verbose: flags.verbose === true,
    connector: operation.connector,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const client = createClient({
    connector: operation.connector,
    region: connection.region,
    credentials: connection.credentials,
    baseUrl: connection.baseUrl,
    emulatorUrl: connection.emulatorUrl,
    timeoutMs,
    ...(maxRetries === undefined ? {} : { retry: { maxRetries } }),
    logger:
      flags.verbose === true
        ? (entry: LogEntry) => io.stderr.write(`${JSON.stringify({ log: entry })}\n`)
        : undefined,
    onEvent: progress.onEvent,
  });
  try {
    if (flags.dryRun === true && split) {
      printJson(io, {
        dry_run: true,
        operation: operation.id,
        credentials_from: connection.source,
        region: connection.region,
        split: `${String((input as { batch: unknown[] }).batch.length)} items, over the limit of one request: the batch builder would send them in several POST /v2/batch requests`,
      });
      return;
    }
    if (split) {
      if (flags.output !== undefined && flags.output !== 'json')
        throw new ValidationError(
          `--output ${flags.output} does not apply to a batch split into several requests: its report is one JSON object`,
        );
      await sendSplitBatch(io, client as Client<'track'>, input as { batch: unknown[] }, progress, {
        verbose: flags.verbose === true,
        human: isHuman(io, flags.json),
      });
      return;
    }
    if (flags.dryRun === true) {
      const prepared = client.prepare(operation.id, input);
      printJson(io, {
        dry_run: true,
        operation: operation.id,
        credentials_from: connection.source,
        region: connection.region,
        request: prepared.printable,
      });
      return;
    }
    if (flags.all === true) {
      if (paginationOf(operation) === undefined)
        throw new ValidationError(`${operation.id} is not a paginated listing: --all does not apply`);
      const maxPages = parseIntegerFlag('--max-pages', flags.maxPages, 1, 1_000_000) ?? 1000;
      const pages = client.paginateUntyped(operation.id, input as Record<string, unknown>, {
        maxPages,
        onPage: progress.onPage,
      });
      if (flags.output === undefined || flags.output === 'ndjson') {
        // Every item of every page, one JSON line each, written as the pages arrive.
        for await (const item of pages) io.stdout.write(`${JSON.stringify(item)}\n`);
      } else {
        // A table (or one JSON array) needs every item first to be laid out.
        const items: unknown[] = [];
        for await (const item of pages) items.push(item);
        progress.stop();
        printOutput(io, items, flags.output);
      }
      progress.finishPages(maxPages);
      return;
    }
    const output = await client.runUntyped(operation.id, input);
    progress.stop();
    printOutput(io, output, flags.output, paginationOf(operation)?.items);
  } finally {
    progress.stop();
    await client.close();
  }
}

/** Points each problem at the flag that sets it: `/identifier is required` → `--identifier`. */
function withFlagNames(error: unknown, specs: readonly FlagSpec[]): unknown {
  if (!(error instanceof ValidationError) || specs.length === 0 || error.issues.length === 0) return error;
  const issues: ValidationIssue[] = error.issues.map((issue) => {
    const top = issue.path.split('/')[1] ?? '';
    const spec = specs.find((s) => s.property === top.replace(/~1/g, '/').replace(/~0/g, '~'));
    return spec === undefined ? issue : { path: issue.path, message: `${issue.message} (--${spec.flag})` };
  });
  const named = new ValidationError(error.summary, issues);
  if (error.hint !== undefined) named.hint = error.hint;
  return named;
}

function choiceOf(spec: FlagSpec, value: string): string {
  const match = spec.choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw new InvalidArgumentError(`Allowed choices are ${spec.choices.join(', ')}.`);
  return match;
}

/** The schema's description without markup (every field has one: test/cli-help.test.ts). */
function flagDescription(spec: FlagSpec): string {
  return plain(spec.description).replace(/\s+/g, ' ').trim();
}

/**
 * A flag's value. A raw request's `--body` is text with `--body-type raw` (`body_type` comes
 * before `body` in its schema, so it is already merged); otherwise JSON, and text that is not JSON
 * is answered with the way to send it as text.
 */
function bodyFlagValue(
  spec: FlagSpec,
  raw: string | boolean,
  merged: Record<string, unknown>,
  specs: readonly FlagSpec[],
): unknown {
  const typedBody =
    spec.property === 'body' && spec.kind === 'json' && specs.some((s) => s.property === 'body_type');
  if (typedBody && merged['body_type'] === 'raw') return String(raw);
  try {
    return parseFlagValue(spec, raw);
  } catch (error) {
    if (error instanceof ValidationError && typedBody)
      error.hint ??= 'To send it as text, add --body-type raw (and --content-type, default text/plain).';
    throw error;
  }
}

/** `app.get_segment` → `get-segment`. */
const commandName = (operation: AnyOperation): string =>
  kebab(operation.id.slice(operation.id.indexOf('.') + 1));

function operationCommand(io: Io, operation: AnyOperation): Command {
  const name = commandName(operation);
  const specs = flagsFor(operation.input);
  const command = new Command(name)
    .summary(operation.title)
    .description(`${operation.title}\n\n${plain(operation.description)}`);
  for (const spec of specs) {
    const label = `${flagDescription(spec)}${spec.required ? ' (required)' : ''}`;
    const option =
      spec.kind === 'boolean'
        ? new Option(`--${spec.flag} [true|false]`, label)
        : new Option(`--${spec.flag} <${spec.kind === 'json' ? 'json' : 'value'}>`, label);
    if (spec.kind === 'choice') {
      // Shown as choices in help; typed in any case (`--method get`).
      option.choices(spec.choices).argParser((value: string) => choiceOf(spec, value));
    }
    command.addOption(option);
  }
  addCommonOptions(command, operation.connector);
  if (paginationOf(operation) !== undefined) addPagingOptions(command);
  const prefix = `cioc ${operation.connector} ${name}`;
  const examples = operation.examples.map(
    (e) => `  # ${e.summary}\n  ${exampleCommand(prefix, specs, e.input)} --auth <name>`,
  );
  if (examples.length > 0) command.addHelpText('after', `\nExamples:\n${examples.join('\n')}\n`);
  command.action(async (flags: CommonFlags & Record<string, unknown>) => {
    const base = await readInput(flags.input, io);
    let input: unknown = base;
    if (specs.length > 0) {
      if (typeof base !== 'object' || base === null || Array.isArray(base))
        throw new ValidationError('--input must be a JSON object for this operation');
      const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
      for (const spec of specs) {
        const raw = flags[camel(spec.flag)];
        if (raw !== undefined)
          merged[spec.property] = bodyFlagValue(spec, raw as string | boolean, merged, specs);
      }
      input = merged;
    }
    try {
      await runOperation(io, operation, input, flags);
    } catch (error) {
      throw withFlagNames(error, specs);
    }
  });
  return command;
}

/**
 * `cioc track|app|beta <operation>`. Operation commands are built only for the connector named on
 * the command line, so start-up does not pay for every schema of every connector; and of that
 * connector only the command named, when one is (`cioc app get-segment …`: one of App's 113). All
 * of them are built when they are listed or may be suggested: `cioc app`, `cioc app --help`,
 * `cioc help app`, an unknown name ("Did you mean …?").
 */
export function registerOperationCommands(program: Command, io: Io, argv: readonly string[]): void {
  const [, , target, named] = argv;
  for (const connector of CONNECTOR_IDS) {
    const def = CONNECTORS[connector];
    const command = program.command(connector).description(`${def.title} ${def.version}: ${def.description}`);
    if (target !== connector) continue;
    const one =
      named === undefined || named.startsWith('-')
        ? undefined
        : findOperation(`${connector}.${named.replace(/-/g, '_')}`);
    const operations = one !== undefined && commandName(one) === named ? [one] : listOperations(connector);
    for (const operation of operations) {
      const sub = operationCommand(io, operation);
      // exitOverride and output settings, so usage errors end as JSON with exit 2 like everywhere.
      sub.copyInheritedSettings(command);
      command.addCommand(sub);
    }
  }

  const run = program
    .command('run')
    .description(
      'Run an operation by id with a JSON input, e.g. cioc run track.delete_customer --input \'{"identifier":"42"}\'',
    )
    .argument('<operation>', 'operation id, e.g. track.create_or_update_customer');
  addPagingOptions(addCommonOptions(run, undefined)).action(async (id: string, flags: CommonFlags) => {
    const operation = operationForCli(id);
    await runOperation(io, operation, await readInput(flags.input, io), flags);
  });
}
