/**
 * The contract test over the whole registry: every operation's example is sent to the emulator and
 * its output validates against the operation's output schema (the requests themselves are checked
 * against the official specs in spec-conformance.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { listOperations } from '../src/operations/registry.js';
import { schemaIssues } from '../src/schema.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const clientFor = (connector: 'track' | 'app' | 'beta') =>
  createClient({
    connector,
    region: 'emulator',
    emulatorUrl: url,
    credentials: connector === 'track' ? CREDENTIALS.track : CREDENTIALS.app,
    // Hundreds of calls in a row: the client-side limits are tested elsewhere.
    rateLimits: false,
    retry: false,
  });

/** The people, deliveries, triggers, webhooks and snippets the examples refer to (id "1", "example"…). */
function seed(): void {
  emulator.state.webhooks.set(1, {
    id: 1,
    name: 'hook',
    endpoint: 'https://example.com/hook',
    events: ['email_sent'],
    disabled: false,
    full_resolution: true,
    with_content: false,
  });
  emulator.state.snippets.set('example', { name: 'example', value: 'Hello', updated_at: 1 });
  emulator.state.exports.set(1, { id: 1, type: 'customers', created: 0, csv: 'id\n1\n', rows: 1 });
  emulator.state.collections.set(1, {
    id: 1,
    name: 'stores',
    data: [{ city: 'Paris' }],
    url: null,
    created_at: 1,
    updated_at: 1,
  });
  emulator.state.identify('1', {
    email: 'ada@example.com',
    cio_relationships: {
      action: 'add_relationships',
      relationships: [{ identifiers: { object_type_id: '1', object_id: '1' } }],
    },
  });
  emulator.state.identify('42', {});
  emulator.state.triggerBroadcast(1, {});
  emulator.state.deliveries.push({
    delivery_id: '1',
    kind: 'email',
    transactional_message_id: 7,
    identifiers: { id: '1' },
    to: 'ada@example.com',
    subject: null,
    queued_at: 1,
  });
}

describe('every operation against the emulator', () => {
  const cases = listOperations().flatMap((op) => op.examples.map((example) => ({ op, example })));

  it('has an example for every operation', () => {
    expect(
      listOperations()
        .filter((op) => op.examples.length === 0)
        .map((op) => op.id),
    ).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.op.id}: ${c.example.summary}`, c] as const))(
    '%s',
    async (_name, { op, example }) => {
      seed();
      const client = clientFor(op.connector);
      try {
        const output = await client.runUntyped(op.id, example.input);
        expect(schemaIssues(op.output, output)).toEqual([]);
      } finally {
        await client.close();
      }
    },
  );

  it('counts what it covered', () => {
    const counts = Object.fromEntries(
      (['track', 'app', 'beta'] as const).map((c) => [c, listOperations(c).length]),
    );
    process.stdout.write(
      `contract: ${String(cases.length)} examples over ${JSON.stringify(counts)} operations\n`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(listOperations().length);
  });
});
