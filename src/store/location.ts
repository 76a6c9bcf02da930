/**
 * Where the store lives, without opening it (and without loading SQLite): shell completion asks
 * whether there is a store before it pays for one.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cioHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['CIOC_HOME'];
  return home !== undefined && home !== '' ? home : join(homedir(), '.cioc');
}

/** Whether a store exists (so that looking for defaults never creates one). */
export function storeExists(env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(join(cioHome(env), 'cioc.db'));
}
