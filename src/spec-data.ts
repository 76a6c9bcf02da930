/**
 * The operations generated from the official specs (`npm run gen` writes
 * src/operations/generated/{track,app}.json), read the first time a connector needs them: a Track
 * command never parses the App data (~1 MB), and importing the library parses none (issue #12).
 */
import { createRequire } from 'node:module';
import type { SpecOperationData } from './operations/spec-operation.js';

/** The spec files the operations come from (Beta serves the App API's routes). */
export type SpecSource = 'track' | 'app';

const require = createRequire(import.meta.url);

/** The generated operations of one spec, parsed once (`require` keeps what it read). */
export function specOperationData(source: SpecSource): readonly SpecOperationData[] {
  // src/spec-data.ts, dist/spec-data.js and the CommonJS build's files (flat in dist/) all sit next
  // to operations/generated/; the build copies the JSON there (tsdown.config.ts).
  return require(`./operations/generated/${source}.json`) as readonly SpecOperationData[];
}
