import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '../types.js';
import {
  getStep,
  groupIssues,
  insertStep,
  moveStep,
  newLoopStep,
  newOperationStep,
  removeStep,
  renameStep,
  stepIdProblem,
  uniqueStepId,
  updateStep,
} from './doc-edit.js';

const doc = (): WorkflowDocument => ({
  name: 'w',
  trigger: { type: 'manual' },
  steps: [
    {
      id: 'a',
      operation: 'track.create_or_update_customer',
      input: { identifier: '{{ $.trigger.body.id }}' },
    },
    {
      id: 'each',
      for_each: '{{ $.steps.a.output.ids }}',
      steps: [
        { id: 'inner', operation: 'track.track_custom_event', input: { name: '{{ $.steps.a.status }}' } },
        {
          id: 'deep',
          for_each: '{{ $.item.list }}',
          steps: [{ id: 'x', operation: 'app.raw_http_request' }],
        },
      ],
    },
    { id: 'c', operation: 'track.delete_customer', input: { identifier: '{{ $.steps.ab.output }}' } },
  ],
});

describe('document edits', () => {
  it('adds a step at the top level, between two steps and inside nested loops', () => {
    const d = doc();
    const top = insertStep(d, [], 1, { id: 'n1', operation: 'track.track_custom_event' });
    expect(top.steps.map((s) => s.id)).toEqual(['a', 'n1', 'each', 'c']);
    const inLoop = insertStep(d, [1, 1], 0, { id: 'n2' });
    expect(getStep(inLoop, [1, 1])?.steps?.map((s) => s.id)).toEqual(['n2', 'x']);
    expect(getStep(inLoop, [1, 1, 0])?.id).toBe('n2');
    // The original is untouched.
    expect(getStep(d, [1, 1])?.steps?.map((s) => s.id)).toEqual(['x']);
    const atEnd = insertStep(d, [], 99, { id: 'last' });
    expect(atEnd.steps.at(-1)?.id).toBe('last');
  });

  it('removes and moves steps within their own list', () => {
    const d = doc();
    expect(removeStep(d, [1, 0]).steps[1]?.steps?.map((s) => s.id)).toEqual(['deep']);
    expect(removeStep(d, [0]).steps.map((s) => s.id)).toEqual(['each', 'c']);
    const down = moveStep(d, [1, 0], 1);
    expect(down.path).toEqual([1, 1]);
    expect(down.doc.steps[1]?.steps?.map((s) => s.id)).toEqual(['deep', 'inner']);
    const up = moveStep(d, [0], -1);
    expect(up.doc).toBe(d);
    expect(up.path).toEqual([0]);
    expect(moveStep(d, [2], -1).doc.steps.map((s) => s.id)).toEqual(['a', 'c', 'each']);
  });

  it('updates one nested step', () => {
    const d = updateStep(doc(), [1, 1, 0], (s) => ({ ...s, authentication: 'Emulator App' }));
    expect(getStep(d, [1, 1, 0])?.authentication).toBe('Emulator App');
    expect(getStep(d, [0])?.authentication).toBeUndefined();
  });

  it('makes unique, valid step ids', () => {
    const d = doc();
    expect(uniqueStepId(d, 'track.track_custom_event')).toBe('track_custom_event');
    expect(uniqueStepId(d, 'app.x')).toBe('x_2');
    expect(uniqueStepId(d, '9lives')).toBe('step_9lives');
    expect(newOperationStep(d, 'track.delete_customer')).toEqual({
      id: 'delete_customer',
      operation: 'track.delete_customer',
      input: {},
    });
    expect(newLoopStep(d).id).toBe('each_2');
  });

  it('checks a new step id', () => {
    const d = doc();
    expect(stepIdProblem(d, [0], 'a')).toBeUndefined();
    expect(stepIdProblem(d, [0], 'inner')).toMatch(/already/);
    expect(stepIdProblem(d, [0], '1x')).toMatch(/letters/);
    expect(stepIdProblem(d, [0], 'constructor')).toMatch(/reserved/);
  });

  it('renames a step and every reference to it, not those to a longer id', () => {
    const d = renameStep(doc(), [0], 'upsert');
    expect(d.steps[0]?.id).toBe('upsert');
    expect(d.steps[1]?.for_each).toBe('{{ $.steps.upsert.output.ids }}');
    expect(getStep(d, [1, 0])?.input).toEqual({ name: '{{ $.steps.upsert.status }}' });
    expect(d.steps[2]?.input).toEqual({ identifier: '{{ $.steps.ab.output }}' });
  });

  it('groups the server’s validation issues by step and input field', () => {
    const { byStep, document } = groupIssues([
      { path: '/steps/1/steps/0/input/identifier', message: 'is required' },
      { path: '/steps/1/steps/0/authentication', message: 'no such authentication' },
      { path: '/steps/0/input', message: 'must be object' },
      { path: '/name', message: 'too long' },
    ]);
    expect(byStep.get('1.0')?.input.get('/identifier')).toEqual(['is required']);
    expect(byStep.get('1.0')?.step).toEqual([{ path: '/authentication', message: 'no such authentication' }]);
    expect(byStep.get('0')?.input.get('')).toEqual(['must be object']);
    expect(document).toEqual([{ path: '/name', message: 'too long' }]);
  });
});
