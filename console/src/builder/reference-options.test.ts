import { describe, expect, it } from 'vitest';
import type { JsonSchema, Run, WorkflowDocument } from '../types.js';
import { childPath, earlierSteps, filterGroups, referenceGroups } from './reference-options.js';

const doc: WorkflowDocument = {
  name: 'w',
  trigger: { type: 'webhook' },
  steps: [
    { id: 'search', operation: 'app.search', input: {} },
    {
      id: 'each',
      for_each: '{{ $.steps.search.output.ids }}',
      steps: [
        { id: 'lookup', operation: 'app.lookup' },
        { id: 'notify', operation: 'track.track_custom_event' },
      ],
    },
    { id: 'after', operation: 'track.delete_customer' },
  ],
};

const schemas = new Map<string, JsonSchema>([
  [
    'app.search',
    {
      type: 'object',
      description: 'The matches.',
      properties: {
        ids: { type: 'array', items: { type: 'string' } },
        next: { type: 'string', description: 'cursor' },
      },
    },
  ],
  [
    'app.lookup',
    {
      type: 'object',
      properties: { customer: { type: 'object', properties: { email: { type: 'string' } } } },
    },
  ],
]);

const paths = (groups: ReturnType<typeof referenceGroups>, label: string): string[] =>
  groups.find((g) => g.label === label)?.options.map((o) => o.path) ?? [];

describe('reference picker listing', () => {
  it('lists only steps that run earlier, in the same or an enclosing scope', () => {
    expect(earlierSteps(doc, [0]).map((s) => s.step.id)).toEqual([]);
    expect(earlierSteps(doc, [1, 1]).map((s) => s.step.id)).toEqual(['search', 'lookup']);
    expect(earlierSteps(doc, [2]).map((s) => s.step.id)).toEqual(['search', 'each']);
  });

  it('offers the trigger, the loop item and earlier outputs from their output schemas', () => {
    const groups = referenceGroups({ doc, at: [1, 1], outputSchemas: schemas });
    expect(groups.map((g) => g.label)).toEqual(['Trigger', 'Loop each', 'Step search', 'Step lookup']);
    expect(paths(groups, 'Trigger')).toEqual([
      '$.trigger.body',
      '$.trigger.headers',
      '$.trigger.query',
      '$.trigger.type',
    ]);
    expect(paths(groups, 'Loop each')).toEqual(['$.item', '$.index']);
    expect(paths(groups, 'Step search')).toEqual([
      '$.steps.search.output',
      '$.steps.search.output.ids',
      '$.steps.search.output.ids[0]',
      '$.steps.search.output.next',
      '$.steps.search.status',
      '$.steps.search.error',
    ]);
    expect(paths(groups, 'Step lookup')).toContain('$.steps.lookup.output.customer.email');
    const option = groups[2]?.options[0];
    expect(option?.expression).toBe('{{ $.steps.search.output }}');
    expect(option?.detail).toBe('The matches.');
  });

  it('adds the paths the last run actually produced, and reads a loop through its output', () => {
    const run = {
      trigger: { type: 'webhook', body: { id: '42', 'first name': 'Ada' }, headers: {}, query: {} },
      steps: [{ id: 'search', key: 'search', output: { ids: ['1'], total: 1 } }],
    } as unknown as Run;
    const groups = referenceGroups({ doc, at: [2], outputSchemas: schemas, lastRun: run });
    expect(paths(groups, 'Trigger')).toContain('$.trigger.body.id');
    expect(paths(groups, 'Trigger')).toContain('$.trigger.body["first name"]');
    expect(paths(groups, 'Step search')).toContain('$.steps.search.output.total');
    expect(paths(groups, 'Step each')[0]).toBe('$.steps.each.output');
    expect(groups.some((g) => g.label.startsWith('Loop'))).toBe(false);
  });

  it('writes paths that need quoting with brackets, and filters by text', () => {
    expect(childPath('$.x', 'a b')).toBe('$.x["a b"]');
    expect(childPath('$.x', 3)).toBe('$.x[3]');
    const groups = referenceGroups({ doc, at: [2], outputSchemas: schemas });
    const filtered = filterGroups(groups, 'cursor');
    expect(filtered.map((g) => g.label)).toEqual(['Step search']);
    expect(filtered[0]?.options.map((o) => o.path)).toEqual(['$.steps.search.output.next']);
  });
});
