/** `npm run gen` must leave no diff: the committed generated files match the specs and registry. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specModules } from '../scripts/gen/outputs.js';
import { operationsMarkdown } from '../src/docs/operations-doc.js';
import { COMPLETION_WORDS_PATH, completionWordsModule } from '../src/cli/completion-index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated files', () => {
  it('are what `npm run gen` writes (run it when this fails)', async () => {
    for (const [path, content] of Object.entries(specModules(root))) {
      expect(readFileSync(resolve(root, path), 'utf8'), path).toBe(content);
    }
    expect(readFileSync(resolve(root, 'docs/operations.md'), 'utf8')).toBe(operationsMarkdown());
    expect(readFileSync(resolve(root, COMPLETION_WORDS_PATH), 'utf8')).toBe(await completionWordsModule());
  });
});
