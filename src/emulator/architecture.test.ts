/**
 * The emulator's house rules, checked on its source: no import cycles, and the model (what
 * Customer.io does) never depends on the routes (how it is spoken over HTTP) or on Fastify.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each file's imports: relative ones resolved to files, bare ones kept as package names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map(
    (m) => m[1] ?? '',
  );
  return specifiers.map((s) => (s.startsWith('.') ? resolve(dirname(file), s.replace(/\.js$/, '.ts')) : s));
}

const graph = new Map(sources(root).map((file) => [file, importsOf(file)]));
const name = (file: string): string => relative(root, file);

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'visiting') found.push([...stack.slice(stack.indexOf(next)), next].map(name));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe('the emulator source', () => {
  it('has the files this test reads (the check is not vacuous)', () => {
    expect([...graph.keys()].map(name)).toEqual(
      expect.arrayContaining(['server.ts', 'model/workspace.ts', 'routes/app.ts', 'routes/track-v1.ts']),
    );
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the model free of routes, the server and Fastify', () => {
    const model = join(root, 'model');
    const offending = [...graph]
      .filter(([file]) => file.startsWith(model))
      .flatMap(([file, imports]) =>
        imports
          .filter((i) => (i.startsWith('/') ? !i.startsWith(model) && i.startsWith(root) : i === 'fastify'))
          .map((i) => `${name(file)} → ${i.startsWith('/') ? name(i) : i}`),
      );
    expect(offending).toEqual([]);
  });
});
