/** `npm run gen`: writes the files derived from the registry (docs/operations.md). */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operationsMarkdown } from '../src/docs/operations-doc.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(resolve(root, 'docs/operations.md'), operationsMarkdown());
process.stdout.write('wrote docs/operations.md\n');
