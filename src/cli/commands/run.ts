/** `cioc run <op-id> --input <json|@file|->`: runs one operation and prints its output. */
import { createClient } from '../../client.js';
import { ValidationError } from '../../errors.js';
import { requireOperation } from '../../operations/registry.js';
import type { LogEntry } from '../../transport/transport.js';
import { connectionFromEnv } from '../credentials.js';
import { readInput } from '../input.js';
import { printJson, type Io } from '../io.js';

export interface RunFlags {
  input?: string;
  dryRun?: boolean;
  region?: string;
  baseUrl?: string;
  timeout?: string;
  maxRetries?: string;
  verbose?: boolean;
}

export async function runCommand(io: Io, id: string, flags: RunFlags): Promise<void> {
  const operation = requireOperation(id);
  const timeoutMs = parseTimeout(flags.timeout);
  const maxRetries = parseMaxRetries(flags.maxRetries);
  const input = await readInput(flags.input, io);
  const connection = connectionFromEnv(operation.connector, flags, io.env);
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
  });
  try {
    if (flags.dryRun === true) {
      const prepared = client.prepare(operation.id, input);
      printJson(io, {
        dry_run: true,
        operation: operation.id,
        credentials_from: connection.source,
        request: prepared.printable,
      });
      return;
    }
    printJson(io, await client.run(operation.id, input));
  } finally {
    await client.close();
  }
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new ValidationError(`--timeout must be a positive number of milliseconds, not "${value}"`);
  }
  return ms;
}

function parseMaxRetries(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10) {
    throw new ValidationError(`--max-retries must be a whole number from 0 to 10, not "${value}"`);
  }
  return n;
}
