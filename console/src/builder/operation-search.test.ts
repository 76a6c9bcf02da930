import { describe, expect, it } from 'vitest';
import type { OperationSummary } from '../types.js';
import { searchOperations } from './operation-search.js';

const op = (id: string, title: string, description: string): OperationSummary => ({
  id,
  title,
  description,
  connector: 'track',
  connector_name: 'Customer.io - Track',
  version: '2.0',
  method: 'POST',
  path: '/x',
  safety: { idempotent: true, destructive: false, rate_bucket: 'track' },
});

const list = [
  op('track.create_or_update_customer', 'Create or update a person', 'Adds or updates a person.'),
  op('track.track_custom_event', 'Track a custom event', 'Records an event for a person.'),
  op('track.generated_event', 'Send an anonymous event', 'An event without a person.'),
];

describe('searchOperations', () => {
  it('keeps the registry order when there is no query', () => {
    expect(searchOperations(list, '  ').map((o) => o.id)).toEqual(list.map((o) => o.id));
  });
  it('matches every word in titles and descriptions, title matches first', () => {
    expect(searchOperations(list, 'event').map((o) => o.id)).toEqual([
      'track.track_custom_event',
      'track.generated_event',
    ]);
    expect(searchOperations(list, 'person').map((o) => o.id)).toEqual([
      'track.create_or_update_customer',
      'track.track_custom_event',
      'track.generated_event',
    ]);
    expect(searchOperations(list, 'anonymous person').map((o) => o.id)).toEqual(['track.generated_event']);
    expect(searchOperations(list, 'nothing')).toEqual([]);
  });
});
