import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { workflowJsonSchema } from './document.js';
import { assertWorkflow, workflowIssues } from './validate.js';

const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../docs/examples/welcome.workflow.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const doc = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'test',
  trigger: { type: 'manual' },
  steps,
  ...extra,
});
const op = (id: string, operation: string, input: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  operation,
  input,
  ...extra,
});

describe('workflow validation', () => {
  it('accepts the example document', () => {
    expect(workflowIssues(EXAMPLE)).toEqual([]);
  });

  it('reports schema problems with pointers and did-you-mean', () => {
    expect(
      workflowIssues({
        name: '',
        trigger: { type: 'cron' },
        steps: [{ id: '1x', operation: 'a', inptu: {} }],
      }),
    ).toEqual([
      { path: '/name', message: 'must not be empty' },
      {
        path: '/trigger/type',
        message: 'must be one of "manual", "webhook", "schedule", "customerio_webhook"',
      },
      { path: '/steps/0/inptu', message: 'is not a known field (did you mean "input"?)' },
      { path: '/steps/0/id', message: 'must match the pattern /^[A-Za-z_][A-Za-z0-9_]{0,63}$/' },
    ]);
  });

  it('checks operations, versions, duplicate ids and step kinds', () => {
    expect(
      workflowIssues(
        doc([
          op('a', 'app.get_segmnt', {}),
          op('a', 'app.get_segment', { segment_id: 1 }, { version: '2.0' }),
          { id: 'c' },
          {
            id: 'd',
            for_each: '{{ $.trigger.body }}',
            steps: [op('e', 'app.get_segment', { segment_id: 1 })],
            operation: 'x',
          },
          { id: 'f', steps: [op('g', 'app.get_segment', { segment_id: 1 })] },
          { id: 'h', for_each: 'not a reference', steps: [op('i', 'app.get_segment', { segment_id: 1 })] },
          op('j', 'app.get_segment', { segment_id: 1 }, { concurrency: 2 }),
        ]),
      ),
    ).toEqual([
      { path: '/steps/1/id', message: '"a" is already the id of /steps/0' },
      {
        path: '/steps/0/operation',
        message: expect.stringContaining('(did you mean "app.get_segment"?)') as string,
      },
      { path: '/steps/1/version', message: 'must be "1.0", the version of the app connector (not "2.0")' },
      {
        path: '/steps/2/operation',
        message: 'is required (or make the step a loop with for_each and steps)',
      },
      { path: '/steps/3/operation', message: 'is not allowed on a loop (put it on a nested step)' },
      { path: '/steps/4/for_each', message: 'is required for a loop with steps' },
      {
        path: '/steps/5/for_each',
        message: 'must be exactly one reference to an array, e.g. "{{ $.steps.search.output.ids }}"',
      },
      { path: '/steps/6/concurrency', message: 'is only for a loop (for_each)' },
    ]);
  });

  it('allows references to the trigger and earlier steps only, and $.item/$.index only in loops', () => {
    const issues = workflowIssues(
      doc(
        [
          op('first', 'track.delete_customer', {
            identifier: '{{ $.steps.second.output.id }}',
          }),
          op('second', 'track.delete_customer', { identifier: '{{ $.steps.frist.status }}' }),
          op('third', 'track.delete_customer', { identifier: '{{ $.trigger.bdy.id }}' }),
          op('fourth', 'track.delete_customer', { identifier: '{{ $.item }}' }),
          op('fifth', 'track.delete_customer', { identifier: '{{ $.steps.first.outptu }}' }),
          op('sixth', 'track.delete_customer', { identifier: 'x {{ $.steps.first.output[ }}' }),
          {
            id: 'loop',
            for_each: '{{ $.steps.first.output.ids }}',
            concurrency: 4,
            steps: [
              op('inner', 'track.delete_customer', { identifier: '{{ $.item.id }}' }),
              op('inner2', 'track.delete_customer', {
                identifier: '{{ $.steps.inner.status }}-{{ $.index }}-{{ $.steps.first.status }}',
              }),
            ],
          },
          op('after', 'track.delete_customer', { identifier: '{{ $.steps.inner.output }}' }),
          op('fine', 'track.delete_customer', { identifier: '{{ $.steps.loop.output[0].inner }}' }),
        ],
        { output: '{{ $.steps.nope.output }}' },
      ),
    );
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['/steps/0/input/identifier', expect.stringContaining('step "second" does not run before this one')],
      [
        '/steps/1/input/identifier',
        expect.stringContaining('there is no step "frist" (did you mean "first"?)'),
      ],
      ['/steps/2/input/identifier', expect.stringContaining('(did you mean "body"?)')],
      ['/steps/3/input/identifier', expect.stringContaining('$.item exists only inside a loop')],
      ['/steps/4/input/identifier', expect.stringContaining('a step has output, status, error, attempts')],
      ['/steps/5/input/identifier', expect.stringContaining('has an invalid reference')],
      [
        '/steps/7/input/identifier',
        expect.stringContaining('runs inside the loop "loop"; read it as $.steps.loop.output[n].inner'),
      ],
      ['/output', expect.stringContaining('there is no step "nope"')],
    ]);
  });

  it('validates static inputs against the operation, skipping fields a reference fills', () => {
    const issues = workflowIssues(
      doc([
        op('a', 'track.create_or_update_customer', {
          identifier: '{{ $.trigger.body.id }}',
          created_at: '{{ $.trigger.body.created }}',
          attributes: { plan: 'pro', seats: '{{ $.trigger.body.seats }}', bad: { nested: true } },
          update_only: 'yes',
          emial: 'x',
        }),
        op('b', 'app.send_transactional_email', {
          transactional_message_id: 1,
          to: 'a@b.c',
          identifiers: { id: '{{ $.trigger.body.id }}' },
        }),
        op('c', 'track.track_custom_event', '{{ $.trigger.body }}'),
        op('d', 'track.track_custom_event', { identifier: 'x' }),
      ]),
    );
    expect(issues).toEqual([
      { path: '/steps/0/input/emial', message: 'is not a known field (did you mean "email"?)' },
      { path: '/steps/0/input/attributes/bad', message: 'must be string or integer or boolean' },
      { path: '/steps/0/input/update_only', message: 'must be a boolean' },
      { path: '/steps/3/input/name', message: 'is required' },
    ]);
  });

  it('checks authentications when it can see them', () => {
    const lookup = (name: string) => ({ 'My Track': 'track' as const, 'My App': 'app' as const })[name];
    expect(
      workflowIssues(
        doc([
          op('a', 'track.delete_customer', { identifier: '1' }, { authentication: 'My Track' }),
          op('b', 'track.delete_customer', { identifier: '1' }, { authentication: 'My App' }),
          op('c', 'track.delete_customer', { identifier: '1' }, { authentication: 'Other' }),
        ]),
        { authentication: lookup },
      ),
    ).toEqual([
      {
        path: '/steps/1/authentication',
        message: '"My App" is for the app connector; track.delete_customer needs one for the track connector',
      },
      {
        path: '/steps/2/authentication',
        message: 'no authentication named "Other" is visible to the workflow\'s owner',
      },
    ]);
  });

  it('throws one ValidationError listing every problem', () => {
    expect(() => assertWorkflow({ name: 'x' })).toThrow(ValidationError);
    expect(() => assertWorkflow({ name: 'x' })).toThrow(
      'Invalid workflow: /trigger is required; /steps is required',
    );
  });

  it('checks when conditions', () => {
    expect(
      workflowIssues(
        doc([
          op(
            'a',
            'track.delete_customer',
            { identifier: '1' },
            { when: { path: '$.trigger.body.x', equals: 1, lt: 2 } },
          ),
          op(
            'b',
            'track.delete_customer',
            { identifier: '1' },
            { when: { path: 'trigger.body', exists: true } },
          ),
          op(
            'c',
            'track.delete_customer',
            { identifier: '1' },
            { when: { path: '$.steps.a.status', equals: '{{ $.steps.d.status }}' } },
          ),
        ]),
      ).map((i) => i.path),
    ).toEqual(['/steps/0/when', '/steps/1/when/path', '/steps/2/when/equals']);
  });

  it('publishes the document schema as plain JSON (for the API and editors)', () => {
    const schema = workflowJsonSchema() as unknown as Record<string, unknown>;
    expect(schema).toMatchObject({
      title: 'Workflow',
      type: 'object',
      required: ['name', 'trigger', 'steps'],
    });
    expect(JSON.stringify(schema)).toContain('"for_each"');
  });
});

describe('braces at save time', () => {
  const doc = (input: unknown) => ({
    name: 'liquid',
    trigger: { type: 'manual' },
    steps: [{ id: 'send', operation: 'app.send_transactional_email', input }],
  });

  it('accepts Liquid in a transactional body and refuses an unclosed reference', () => {
    const ok = {
      transactional_message_id: 1,
      to: 'a@example.com',
      identifiers: { id: '1' },
      body: 'Hi {{ customer.first_name }}',
    };
    expect(workflowIssues(doc(ok))).toEqual([]);
    const issues = workflowIssues(doc({ ...ok, identifiers: { id: '{{ $.trigger.body.id }' } }));
    expect(issues.map((i) => i.message).join('\n')).toMatch(/not closed/);
  });
});

describe('depth', () => {
  it('refuses a document nested 2,000 loops deep with a clear issue, not a stack overflow', () => {
    let steps: unknown[] = [{ id: 'leaf', operation: 'track.delete_customer', input: { identifier: '1' } }];
    for (let i = 0; i < 2000; i++) steps = [{ id: `l${String(i)}`, for_each: '{{ $.trigger.body }}', steps }];
    const issues = workflowIssues({ name: 'deep', trigger: { type: 'manual' }, steps });
    expect(issues).toEqual([
      { path: '', message: expect.stringMatching(/nests deeper than 64 levels/) as string },
    ]);
  });
});

describe('reserved names', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as a step id', (id) => {
    const doc = JSON.parse(
      `{"name":"p","trigger":{"type":"manual"},"steps":[{"id":"${id}","operation":"track.delete_customer","input":{"identifier":"1"}}]}`,
    ) as unknown;
    expect(workflowIssues(doc)).toEqual([
      { path: '/steps/0/id', message: `"${id}" is reserved; choose another step id` },
    ]);
  });

  it('refuses a "__proto__" key anywhere in the document', () => {
    const doc = JSON.parse(
      '{"name":"p","trigger":{"type":"manual"},"steps":[{"id":"a","operation":"track.delete_customer","input":{"identifier":"1","__proto__":{"x":1}}}]}',
    ) as unknown;
    expect(workflowIssues(doc)).toEqual([
      { path: '/steps/0/input/__proto__', message: '"__proto__" cannot be used as a key' },
    ]);
  });
});
