/**
 * Every schema the project validates with is valid JSON Schema (draft-07, Ajv's default). The
 * validator skips this meta-schema check at run time (src/schema.ts: start-up), so it is made here,
 * once, for all of them: the operations' inputs and outputs, the workflow document, the run, and
 * the server's route schemas.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RunView } from '../src/engine/run-schema.js';
import { listOperations } from '../src/operations/registry.js';
import { routeTable } from '../src/server/route-table.js';
import { WorkflowDocument } from '../src/workflows/document.js';

const ajv = new Ajv({ strict: true });

/** The meta-schema's complaints about a schema (none when it is valid). */
function problems(schema: unknown): unknown[] {
  return ajv.validateSchema(schema as object) ? [] : (ajv.errors ?? []);
}

describe('schema validity', () => {
  it("every operation's input and output schema is valid JSON Schema", () => {
    const operations = listOperations();
    expect(operations.length).toBeGreaterThan(200);
    for (const op of operations) {
      expect(problems(op.input), `${op.id} input`).toEqual([]);
      expect(problems(op.output), `${op.id} output`).toEqual([]);
    }
  });

  it('the workflow document, the run and every route schema are valid JSON Schema', () => {
    expect(problems(WorkflowDocument)).toEqual([]);
    expect(problems(RunView)).toEqual([]);
    for (const route of routeTable()) {
      const { params, querystring, body, documentedBody, response } = route.schema;
      for (const schema of [params, querystring, body, documentedBody, ...Object.values(response ?? {})])
        if (schema !== undefined) expect(problems(schema), `${route.method} ${route.url}`).toEqual([]);
    }
  });

  it('finds a broken schema (the check works)', () => {
    expect(problems({ type: 'object', properties: { a: { minLength: '1' } } })).not.toEqual([]);
  });
});
