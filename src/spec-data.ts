/**
 * The operations generated from the official specs (`npm run gen` writes
 * src/operations/generated/{track,app}.json), read the first time a connector needs them: a Track
 * command never parses the App data (~1 MB), and importing the library parses none (issue #12).
 */
import { readFileSync } from 'node:fs';
import type { SpecOperationData } from './operations/spec-operation.js';

/** The spec files the operations come from (Beta serves the App API's routes). */
export type SpecSource = 'track' | 'app';

const loaded = new Map<SpecSource, readonly SpecOperationData[]>();

/** The generated operations of one spec, parsed once. */
export function specOperationData(source: SpecSource): readonly SpecOperationData[] {
  let data = loaded.get(source);
  if (data === undefined) {
    // src/spec-data.ts, dist/spec-data.js and the CommonJS build's files (flat in dist/) all sit
    // next to operations/generated/; the build copies the JSON there (tsdown.config.ts).
    const file = new URL(`./operations/generated/${source}.json`, import.meta.url);
    data = JSON.parse(readFileSync(file, 'utf8')) as readonly SpecOperationData[];
    loaded.set(source, data);
  }
  return data;
}
