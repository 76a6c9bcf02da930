/** Terminal prompts: plain questions, and secrets read without echo. */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ValidationError } from '../errors.js';
import type { Io } from './io.js';

export function isInteractive(io: Io): boolean {
  return io.stdin.isTTY === true;
}

export async function ask(
  io: Io,
  question: string,
  options: { secret?: boolean; defaultValue?: string } = {},
): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) io.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  try {
    const suffix = options.defaultValue === undefined ? '' : ` [${options.defaultValue}]`;
    const answer = await new Promise<string>((resolve) => {
      rl.question(`${question}${suffix}: `, resolve);
      muted = options.secret === true;
    });
    if (options.secret === true) io.stderr.write('\n');
    const value = answer.trim();
    return value === '' ? (options.defaultValue ?? '') : value;
  } finally {
    rl.close();
  }
}

/** `--api-key-stdin`: the whole of standard input, trimmed of the final newline. */
export async function readSecretFromStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value.trim() === '') throw new ValidationError('--api-key-stdin: standard input is empty');
  return value;
}
