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
