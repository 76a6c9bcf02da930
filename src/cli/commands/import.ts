/**
 * `cioc import people|events|objects FILE`: a CSV or NDJSON file (or `-`, gzip recognised) into
 * Customer.io through `importFile` (src/import): exactly once, resumable, with a progress bar on a
 * terminal and a summary (`--json` for machines). Ctrl-C stops after the requests in flight and
 * saves the checkpoint; a second Ctrl-C abandons them too (they are sent again on resume).
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { createClient } from '../../client.js';
import { EXIT, ValidationError } from '../../errors.js';
import { defaultImportsDir } from '../../import/checkpoint.js';
import {
  importFile,
  STDIN_EVENTS_WARNING,
  type ImportOptions,
  type ImportSummary,
} from '../../import/import-file.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../import/input.js';
import { parseMapping, type IdentifierType, type ImportKind } from '../../import/mapping.js';
import { REGIONS } from '../../regions.js';
import { parseIntegerFlag } from '../input.js';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { ImportProgressView, int } from '../import-progress.js';
import { isHuman, paint, printJson, type Io } from '../io.js';

interface ImportFlags extends ConnectionFlags {
  format?: ImportFormat;
  delimiter?: string;
  quote?: string;
  relaxQuotes?: boolean;
  identifierColumn?: string;
  identifierType?: IdentifierType;
  nameColumn?: string;
  eventName?: string;
  timestampColumn?: string;
  objectTypeId?: string;
  map?: string;
  emptyAsNull?: boolean;
  rejects?: string;
  restart?: boolean;
  dryRun?: boolean;
  concurrency?: string;
  maxBatchBytes?: string;
  timeout?: string;
  maxRetries?: string;
  json?: boolean;
}

export const IMPORT_KINDS: readonly ImportKind[] = ['people', 'events', 'objects'];

export function registerImportCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('import')
    .description(
      'Import a CSV or NDJSON file of people, events or objects: batched, exactly once, resumable (see docs/import.md)',
    )
    .addArgument(new Argument('<kind>', 'people, events or objects').choices(IMPORT_KINDS))
    .argument('<file>', 'a .csv/.tsv/.ndjson/.jsonl file (gzip too), or - for standard input')
    .addOption(
      new Option('--format <format>', 'csv or ndjson (default: from the file name)').choices(IMPORT_FORMATS),
    )
    .option('--delimiter <char>', 'CSV field delimiter (default , and tab for .tsv)')
    .option('--quote <char>', 'CSV quote character (default ")')
    .option('--relax-quotes', 'CSV: read a quote inside an unquoted field as part of the field')
    .option(
      '--identifier-column <name>',
      'the column that identifies each person/object (default id, else email)',
    )
    .addOption(
      new Option(
        '--identifier-type <type>',
        'what that column holds (default: email for "email", cio_id for "cio_id", else id)',
      ).choices(['id', 'email', 'cio_id']),
    )
    .option('--name-column <name>', 'events: the column with the event name (default name, else event)')
    .option('--event-name <name>', 'events: one event name for every row')
    .option(
      '--timestamp-column <name>',
      'the column with the time: unix seconds or ISO 8601 (default timestamp)',
    )
    .option('--object-type-id <id>', 'objects: the object type id (1, 2, …)')
    .option(
      '--map <mapping.json>',
      'rename, drop and type columns: {"Col": "new_name", "Notes": false, "Age": {"type": "number"}}',
    )
    .option('--empty-as-null', 'CSV: an empty cell clears the attribute (default: left out)')
    .option('--rejects <file>', 'where rejected rows go, one JSON line each (default: beside the checkpoint)')
    .option('--restart', 'forget the checkpoint of this file and start from the first row')
    .option('--dry-run', 'read, map and validate every row; send nothing')
    .option('--concurrency <n>', 'requests in flight (default 4)')
    // Smaller requests: for tests and links that time out on 500 KB bodies.
    .addOption(new Option('--max-batch-bytes <n>').hideHelp())
    .option('--auth <name>', 'a named authentication (see `cioc auth list`)')
    .option('--site-id <id>', 'Track Site ID (instead of --auth)')
    .option('--api-key <key>', 'Track API key (instead of --auth; prefer the environment)')
    .addOption(new Option('--region <region>', 'us, eu or emulator (env CIOC_REGION)').choices(REGIONS))
    .option('--base-url <url>', 'base-URL override (env CIOC_BASE_URL)')
    .option('--allow-custom-base-url', "let --base-url send a stored us/eu authentication's key elsewhere")
    .option('--timeout <ms>', 'per-attempt timeout in milliseconds (default 10000)')
    .option('--max-retries <n>', 'retries of a failed request (default 3)')
    .option('--json', 'a JSON summary on stdout, and plain progress lines instead of the bar')
    .addHelpText(
      'after',
      `
Examples:
  cioc import people customers.csv --auth prod
  cioc import events purchases.ndjson.gz --timestamp-column created_at
  zcat people.csv.gz | cioc import people - --format csv --identifier-column email
  cioc import objects companies.csv --object-type-id 1 --identifier-column company_id --dry-run

Run the same command again after a crash or Ctrl-C: it resumes after the last acknowledged row.
`,
    )
    .action(async (kind: ImportKind, file: string, flags: ImportFlags) => {
      setExit(await importCommand(io, kind, file, flags));
    });
}

function readMapping(path: string): ImportOptions['map'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(
      `--map: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`--map: ${path} is not valid JSON (${(error as Error).message})`);
  }
  return parseMapping(value, `--map ${path}`);
}

export async function importCommand(
  io: Io,
  kind: ImportKind,
  file: string,
  flags: ImportFlags,
): Promise<number> {
  const human = isHuman(io, flags.json);
  const timeoutMs = parseIntegerFlag('--timeout', flags.timeout, 1, 3_600_000);
  const maxRetries = parseIntegerFlag('--max-retries', flags.maxRetries, 0, 10);
  const concurrency = parseIntegerFlag('--concurrency', flags.concurrency, 1, 64);
  const maxBatchBytes = parseIntegerFlag('--max-batch-bytes', flags.maxBatchBytes, 1, 500_000);
  for (const [name, value] of [
    ['--delimiter', flags.delimiter],
    ['--quote', flags.quote],
  ] as const)
    if (value !== undefined && value.length !== 1)
      throw new ValidationError(`${name} must be one character, not "${value}"`);
  const map = flags.map === undefined ? undefined : readMapping(flags.map);
  const client =
    flags.dryRun === true
      ? undefined
      : await (async () => {
          const connection = await resolveConnection('track', flags, io);
          return createClient({
            connector: 'track',
            region: connection.region,
            credentials: connection.credentials,
            baseUrl: connection.baseUrl,
            emulatorUrl: connection.emulatorUrl,
            timeoutMs,
          });
        })();

  const stop = new AbortController();
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      stop.abort();
      io.stderr.write(
        human
          ? `\n${paint(io, 33, 'Stopping')} after the requests in flight (Ctrl-C again to abandon them; they are sent again on resume)…\n`
          : 'import: stopping after the requests in flight\n',
      );
    } else abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Said before the import, not only in the summary: a repeat is what it warns against.
  if (file === '-' && kind === 'events' && flags.dryRun !== true)
    io.stderr.write(
      human
        ? `${paint(io, 33, 'Warning:')} ${STDIN_EVENTS_WARNING}\n`
        : `import: warning: ${STDIN_EVENTS_WARNING}\n`,
    );
  const view = new ImportProgressView(io, human, file === '-' ? 'standard input' : file);
  let summary: ImportSummary;
  try {
    summary = await importFile(client, {
      kind,
      file,
      stdin: io.stdin,
      format: flags.format,
      delimiter: flags.delimiter,
      quote: flags.quote,
      relaxQuotes: flags.relaxQuotes,
      identifierColumn: flags.identifierColumn,
      identifierType: flags.identifierType,
      nameColumn: flags.nameColumn,
      eventName: flags.eventName,
      timestampColumn: flags.timestampColumn,
      objectTypeId: flags.objectTypeId,
      map,
      emptyAsNull: flags.emptyAsNull,
      rejectsFile: flags.rejects,
      restart: flags.restart,
      dryRun: flags.dryRun,
      concurrency,
      maxBatchBytes,
      maxRetries,
      checkpointDir: defaultImportsDir(io.env),
      stop: stop.signal,
      signal: abort.signal,
      onProgress: view.update,
      progressIntervalMs: human ? 150 : 1000,
    });
  } finally {
    view.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client?.close();
  }
  if (flags.json === true || io.stdout.isTTY !== true) printJson(io, summary);
  else io.stdout.write(summaryText(io, summary));
  if (human)
    for (const warning of summary.warnings.filter((w) => w !== STDIN_EVENTS_WARNING))
      io.stderr.write(`${paint(io, 33, 'Warning:')} ${warning}\n`);
  switch (summary.status) {
    case 'stopped':
      return 130;
    case 'incomplete':
      return EXIT.api5xxOrNetwork;
    default:
      return EXIT.ok;
  }
}

function summaryText(io: Io, s: ImportSummary): string {
  const seconds = s.durationMs / 1000;
  const title: Record<ImportSummary['status'], string> = {
    completed: paint(io, 32, 'Imported'),
    stopped: paint(io, 33, 'Stopped'),
    incomplete: paint(io, 31, 'Incomplete'),
    already_imported: paint(io, 32, 'Already imported'),
    dry_run: paint(io, 36, 'Dry run'),
  };
  const lines = [
    `${title[s.status]} ${s.file === '-' ? 'standard input' : s.file}: ${int(s.rowsRead)} rows read in ${seconds.toFixed(1)} s (${int(s.rowsPerSecond)} rows/s)${
      s.resumedAfter > 0 ? `, resumed after row ${int(s.resumedAfter)}` : ''
    }`,
    `  ${s.status === 'dry_run' ? 'would send' : 'sent      '}  ${int(s.sent)}`,
    `  rejected    ${int(s.rejected)}${s.rejected > 0 && s.rejectsFile !== undefined ? `  → ${s.rejectsFile}` : ''}`,
    `  requests    ${int(s.requests)}${s.status === 'dry_run' ? '' : ` (${int(s.retries)} retries, ${int(s.rateLimited)} × 429)`}`,
  ];
  if (s.unacknowledged > 0)
    lines.push(
      `  not yet acknowledged: ${int(s.unacknowledged)} rows read after row ${int(s.acknowledgedThrough)}`,
    );
  if (s.status === 'stopped' || s.status === 'incomplete')
    lines.push(
      `  Every row up to ${int(s.acknowledgedThrough)} is done: run the same command again to resume after it.`,
    );
  if (s.reason !== undefined) lines.push(`  ${paint(io, 31, 'Why:')} ${s.reason}`);
  return `${lines.join('\n')}\n`;
}
