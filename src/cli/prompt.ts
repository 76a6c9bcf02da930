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

  /**
   * One of `choices`, typed in any case or as any unambiguous start (`o` for organisational);
   * `aliases` map other words to a choice (`organizational`). Asks again after an answer that is
   * none of them, three times at most.
   */
  async choose<T extends string>(
    question: string,
    choices: readonly T[],
    options: { defaultValue?: T; aliases?: Readonly<Record<string, T>> } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const answer = (
        await this.ask(
          `${question} (${choices.join(', ')})`,
          options.defaultValue === undefined ? {} : { defaultValue: options.defaultValue },
        )
      ).toLowerCase();
      const alias = options.aliases?.[answer];
      const matches =
        alias !== undefined ? [alias] : choices.filter((c) => answer !== '' && c.startsWith(answer));
      const exact = choices.find((c) => c === answer);
      const picked = exact ?? (matches.length === 1 ? matches[0] : undefined);
      if (picked !== undefined) return picked;
      if (attempt === 3) throw new ValidationError(`"${answer}" is not one of ${choices.join(', ')}`);
      this.io.stderr.write(`Please answer one of: ${choices.join(', ')}.\n`);
    }
  }

  /** A line of its own between questions. */
  say(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** A yes/no question; Enter gives `defaultValue`. */
  async confirm(question: string, defaultValue: boolean): Promise<boolean> {
    const answer = await this.ask(`${question} (${defaultValue ? 'Y/n' : 'y/N'})`);
    return answer === '' ? defaultValue : /^y(es)?$/i.test(answer);
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
