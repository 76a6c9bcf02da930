/** Reads `--input <json|@file|->`. */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import type { Io } from './io.js';

export async function readInput(value: string | undefined, io: Io): Promise<unknown> {
  if (value === undefined) return {};
  let text: string;
  let source: string;
  if (value === '-') {
    text = await readStream(io.stdin);
    source = 'standard input';
  } else if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw new ValidationError(`--input file "${path}" cannot be read (${code})`);
    }
    source = `file "${path}"`;
  } else {
    text = value;
    source = '--input';
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`The input from ${source} is not valid JSON: ${detail}`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A whole-number flag (`--timeout`, `--concurrency`…) in [min, max], or undefined when not given. */
export function parseIntegerFlag(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError(
      `${name} must be a whole number from ${String(min)} to ${String(max)}, not "${value}"`,
    );
  return n;
}
