/**
 * `npm run gen`: writes every file derived from the specs and the registry.
 *   src/operations/generated/{track,app}.json — the spec operations without a hand-written one
 *   src/operations/generated/types.ts          — their input and output types
 *   docs/operations.md                         — the "All operations" reference
 *   src/cli/generated/completion-words.ts      — what shell completion needs, without the registry
 * test/generated.test.ts fails when running it would change anything.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { specModules } from './gen/outputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, content] of Object.entries(specModules(root))) {
  writeFileSync(resolve(root, path), content);
  process.stdout.write(`wrote ${path}\n`);
}
// The docs read the registry, which reads the data just written: load it only now.
const { operationsMarkdown } = await import('../src/docs/operations-doc.js');
writeFileSync(resolve(root, 'docs/operations.md'), operationsMarkdown());
process.stdout.write('wrote docs/operations.md\n');
const { COMPLETION_WORDS_PATH, completionWordsModule } = await import('../src/cli/completion-index.js');
writeFileSync(resolve(root, COMPLETION_WORDS_PATH), await completionWordsModule());
process.stdout.write(`wrote ${COMPLETION_WORDS_PATH}\n`);
