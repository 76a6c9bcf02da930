/** How the CLI writes: results as JSON on stdout, errors as JSON on stderr. */
import { errorToJson, exitCodeFor } from '../errors.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/** Pretty JSON on a terminal, compact JSON otherwise (pipes, files, other programs). */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${io.stdout.isTTY === true ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

export function printText(io: Io, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `{ "error": { type, message, status?, issues? } }` on stderr; returns the exit code. */
export function printError(io: Io, error: unknown): number {
  io.stderr.write(`${JSON.stringify({ error: errorToJson(error) })}\n`);
  return exitCodeFor(error);
}
