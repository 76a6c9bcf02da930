import { describe, expect, it } from 'vitest';
import { listOperations } from '../operations/registry.js';
import { operationsMarkdown, typeText } from './operations-doc.js';

describe('docs/operations.md', () => {
  it('documents every operation once, with unique anchors', () => {
    const doc = operationsMarkdown();
    for (const op of listOperations()) expect(doc).toContain(`\`${op.id}\` — \`${op.method} ${op.path}\``);
    expect(doc).toContain('(#raw-http-request-advanced)');
    expect(doc).toContain('(#raw-http-request-advanced-1)');
    expect(doc).toContain('(#raw-http-request-advanced-2)');
    expect(operationsMarkdown()).toBe(doc);
  });

  it('writes short types', () => {
    expect(typeText({ type: 'integer', minimum: 0 })).toBe('integer (≥ 0)');
    expect(typeText({ anyOf: [{ const: 'a' }, { const: 'b' }] })).toBe('"a" \\| "b"');
    expect(typeText({ type: 'array', items: { type: 'string' } })).toBe('array of string');
    expect(typeText({})).toBe('any JSON');
  });
});
