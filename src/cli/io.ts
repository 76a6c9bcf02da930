/**
 * How the CLI writes. Machine mode (stdout/stderr not a terminal, or `--json`): results as JSON on
 * stdout, errors as one JSON line on stderr. Human mode (stderr is a terminal): errors as readable
 * text, and progress lines while the command waits.
 */
import { errorToJson, exitCodeFor, type ErrorJson, type ValidationIssue } from '../errors.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * Exit status when the reader of our output went away (`cioc … | head`): 128 + SIGPIPE, what a
 * shell reports for a program that SIGPIPE ended, as `git log | head` does.
 */
export const BROKEN_PIPE_EXIT = 141;

/** Error codes meaning the other end of stdout/stderr is gone. */
const BROKEN_PIPE_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A closed stdout or stderr ends the process quietly, wherever the CLI was writing (results, help,
 * progress): without a listener Node turns the EPIPE into an uncaught 'error' with a stack trace.
 */
export function endQuietlyOnBrokenPipe(
  stream: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    exit(BROKEN_PIPE_CODES.has(error.code ?? '') ? BROKEN_PIPE_EXIT : 1);
  });
}

let brokenPipeHandled = false;

export const processIo = (): Io => {
  if (!brokenPipeHandled) {
    brokenPipeHandled = true;
    endQuietlyOnBrokenPipe(process.stdout);
    endQuietlyOnBrokenPipe(process.stderr);
  }
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
};

/**
 * Whether a person reads stderr: it is a terminal and `--json` was not asked for. Errors and
 * progress are then text; otherwise everything stays machine-readable.
 */
export function isHuman(io: Io, json: boolean | undefined): boolean {
  return io.stderr.isTTY === true && json !== true;
}

/** Colour only on a terminal, and never with NO_COLOR set (no-color.org). */
export function paint(io: Io, code: number, text: string): string {
  const noColor = io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '';
  return io.stderr.isTTY === true && !noColor ? `\u001b[${String(code)}m${text}\u001b[0m` : text;
}

/** Pretty JSON on a terminal, compact JSON otherwise (pipes, files, other programs). */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${io.stdout.isTTY === true ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

export function printText(io: Io, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Machine mode: `{ "error": { type, message, status?, issues? } }` on one line of stderr. Human
 * mode: the same facts as text. Returns the exit code.
 */
export function printError(io: Io, error: unknown, options: { human?: boolean } = {}): number {
  const json = errorToJson(error);
  io.stderr.write(
    options.human === true ? formatErrorText(io, json) : `${JSON.stringify({ error: json })}\n`,
  );
  return exitCodeFor(error);
}

/** A usage error (bad flag, unknown command) as JSON or text, like every other error. */
export function printUsageError(io: Io, message: string, options: { human?: boolean } = {}): void {
  const json: ErrorJson = { type: 'usage', message };
  io.stderr.write(
    options.human === true ? formatErrorText(io, json) : `${JSON.stringify({ error: json })}\n`,
  );
}

/**
 * ```
 * Error: Invalid input for track.identify (validation)
 *   • /identifier must not be empty (--identifier)
 *   • /name is longer than 150 bytes (--name)
 * Hint: …
 * ```
 * Each line of a message stays its own line ("Did you mean …?" included).
 */
export function formatErrorText(io: Io, json: ErrorJson): string {
  const issues = json.issues ?? [];
  const message = withoutIssues(json.message, issues);
  const status = json.status === undefined ? '' : `, HTTP ${String(json.status)}`;
  const [first = '', ...rest] = message.split('\n');
  const lines = [`${paint(io, 31, 'Error:')} ${first} ${paint(io, 2, `(${json.type}${status})`)}`];
  for (const line of rest) if (line.trim() !== '') lines.push(line.replace(/^\((.*)\)$/, '$1'));
  for (const issue of issues) lines.push(`  • ${issueText(issue)}`);
  if (json.hint !== undefined) lines.push(`${paint(io, 33, 'Hint:')} ${json.hint}`);
  return `${lines.join('\n')}\n`;
}

const issueText = (issue: ValidationIssue): string =>
  issue.path === '' ? issue.message : `${issue.path} ${issue.message}`;

/** `Invalid input for x: /a …; /b …` → `Invalid input for x` (the issues are listed below it). */
function withoutIssues(message: string, issues: readonly ValidationIssue[]): string {
  const tail = `: ${issues.map(issueText).join('; ')}`;
  return issues.length > 0 && message.endsWith(tail) ? message.slice(0, -tail.length) : message;
}
