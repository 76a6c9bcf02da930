/**
 * An import's checkpoint: `<dir>/<key>.json`, where the key is a hash of the file's fingerprint and
 * the options that shape its rows. It records the last row up to which every row's fate is known
 * (accepted or written to the rejects file), the counts up to there, the rejects file's length at
 * that point, and when the import first started (the time part of ids of rows without a time).
 * Written whole to a temporary file and renamed over the old one, so a kill at any moment leaves
 * either the old or the new checkpoint, never half of one.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Checkpoint {
  version: 1;
  /** The file as given (absolute path), for people reading the checkpoint. */
  file: string;
  fingerprint: string;
  kind: string;
  key: string;
  /** When this import first started (ms); reused by every resume and `--restart`. */
  startedAt: number;
  updatedAt: number;
  /** Every row up to this one (1-based) was accepted or rejected; 0 when none. */
  acknowledgedThrough: number;
  accepted: number;
  rejected: number;
  requests: number;
  rateLimited: number;
  rejectsFile: string;
  /** The rejects file's length when `acknowledgedThrough` was reached (a resume cuts it back there). */
  rejectsBytes: number;
  /** The whole file was read and every row acknowledged. */
  completed: boolean;
}

/** `CIOC_HOME`/imports (default ~/.cioc/imports). */
export function defaultImportsDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['CIOC_HOME'];
  return join(home !== undefined && home !== '' ? home : join(homedir(), '.cioc'), 'imports');
}

export function checkpointPath(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

export function readCheckpoint(path: string): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Checkpoint> | null;
    return value?.version === 1 && typeof value.acknowledgedThrough === 'number'
      ? (value as Checkpoint)
      : undefined;
  } catch {
    // Never half-written (tmp + rename), so only a hand edit gets here: start over.
    return undefined;
  }
}

export function writeCheckpoint(path: string, checkpoint: Checkpoint, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}

/** Unfinished checkpoints of the same file under another key (the file or the options changed). */
export function otherUnfinished(dir: string, file: string, key: string): Checkpoint[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json') && name !== `${key}.json`)
    .map((name) => readCheckpoint(join(dir, name)))
    .filter((c): c is Checkpoint => c !== undefined && c.file === file && !c.completed);
}
