/**
 * The official specs the generator, tests and emulator read are carried by the repository
 * (spec/customerio/), unmodified: their sha256 is the one SOURCES.md records.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../spec/customerio');
const sources = readFileSync(resolve(dir, 'SOURCES.md'), 'utf8');

describe('spec/customerio', () => {
  for (const file of ['track.json', 'app-2025-07.json', 'reporting-webhooks.json']) {
    it(`${file} is the copy SOURCES.md describes`, () => {
      const row = sources.split('\n').find((line) => line.startsWith(`| \`${file}\``));
      expect(row, `SOURCES.md has no row for ${file}`).toBeDefined();
      const recorded = /`([0-9a-f]{64})`/.exec(row ?? '')?.[1];
      const actual = createHash('sha256')
        .update(readFileSync(resolve(dir, file)))
        .digest('hex');
      expect(actual).toBe(recorded);
    });
  }
});
