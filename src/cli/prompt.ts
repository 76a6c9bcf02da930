/** Terminal prompts: plain questions, and secrets read without echo. */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ValidationError } from '../errors.js';
import type { Io } from './io.js';

export function isInteractive(io: Io): boolean {
  return io.stdin.isTTY === true;
}

/**
 * Questions on the terminal, one readline for the whole conversation: answers typed (or pasted)
 * ahead of their question are kept in order, not lost. A secret's answer is not echoed. If the
 * input ends before an answer, the question fails clearly instead of hanging.
 */
export class Prompter {
  private muted = false;
  private ended = false;
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private readonly rl;

  constructor(private readonly io: Io) {
    const output = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (!this.muted) io.stderr.write(chunk);
        callback();
      },
    });
    this.rl = createInterface({ input: io.stdin, output, terminal: true });
    this.rl.on('line', (line) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting === undefined) this.lines.push(line);
      else waiting(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
  }

  async ask(question: string, options: { secret?: boolean; defaultValue?: string } = {}): Promise<string> {
    const suffix = options.defaultValue === undefined ? '' : ` [${options.defaultValue}]`;
    this.io.stderr.write(`${question}${suffix}: `);
    this.muted = options.secret === true;
    const line =
      this.lines.shift() ??
      (this.ended
        ? undefined
        : await new Promise<string | undefined>((resolve) => {
            this.waiting = resolve;
          }));
    if (this.muted) this.io.stderr.write('\n');
    this.muted = false;
    if (line === undefined) throw new ValidationError(`No answer to "${question}": the input has ended`);
    const value = line.trim();
    return value === '' ? (options.defaultValue ?? '') : value;
  }

  close(): void {
    this.rl.close();
  }
}

/**
 * `--api-key-stdin`: the whole of standard input, trimmed of the final newline. On a terminal it
 * asks for the key and does not echo it (the terminal would otherwise show it as it is typed).
 */
export async function readSecretFromStdin(io: Io): Promise<string> {
  if (isInteractive(io)) {
    const prompter = new Prompter(io);
    try {
      const value = await prompter.ask('API key', { secret: true });
      if (value === '') throw new ValidationError('--api-key-stdin: no API key was typed');
      return value;
    } finally {
      prompter.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value.trim() === '') throw new ValidationError('--api-key-stdin: standard input is empty');
  return value;
}
