/** Stateful App resources of the emulator, through the generated operations. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { BadRequestError, NotFoundError } from '../src/errors.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
const options = { region: 'emulator' as const, emulatorUrl: url, rateLimits: false as const };
const app = () => createClient({ connector: 'app', credentials: CREDENTIALS.app, ...options });

describe('emulated App resources', () => {
  it('shows transactional sends as messages, paginated', async () => {
    const client = app();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { delivery_id } = await client.sendTransactionalEmail({
        transactional_message_id: 7,
        identifiers: { id: `m${String(i)}` },
        to: `m${String(i)}@example.com`,
      });
      sent.push(delivery_id);
    }
    const all: { id?: string }[] = [];
    for await (const message of client.paginate('app.list_messages', { limit: 2 })) all.push(message);
    expect(all.map((m) => m.id)).toEqual([...sent].reverse());
    const one = await client.getMessage({ message_id: sent[0] ?? '' });
    expect(one.message).toMatchObject({ id: sent[0], recipient: 'm0@example.com', type: 'email' });
    await expect(client.getMessage({ message_id: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    await client.close();
  });

  it('lists a broadcast trigger’s errors', async () => {
    const client = app();
    emulator.state.identify('known', {});
    const trigger = await client.triggerBroadcast({ broadcast_id: 1, ids: ['known', 'ghost-1', 'ghost-2'] });
    const errors = await client.listBroadcastTriggerErrors({ broadcast_id: 1, trigger_id: trigger.id });
    expect(errors).toEqual({
      errors: ['line 2: customer with id ghost-1 not found', 'line 3: customer with id ghost-2 not found'],
      next: '',
    });
    await client.close();
  });

  it('searches customers with the filter grammar', async () => {
    const client = app();
    emulator.state.identify('a', { plan: 'pro', email: 'a@example.com' });
    emulator.state.identify('b', { plan: 'free' });
    emulator.state.identify('c', { plan: 'pro', vip: true });
    emulator.state.changeSegment(9, { ids: ['c'] }, undefined, true);
    const ids = async (filter: unknown) =>
      ((await client.run('app.search_customers', { filter } as never)) as { ids: string[] }).ids;
    expect(await ids({ attribute: { field: 'plan', operator: 'eq', value: 'pro' } })).toEqual(['a', 'c']);
    expect(
      await ids({
        and: [
          { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
          { not: { attribute: { field: 'vip', operator: 'exists' } } },
        ],
      }),
    ).toEqual(['a']);
    expect(
      await ids({ or: [{ segment: { id: 9 } }, { attribute: { field: 'email', operator: 'exists' } }] }),
    ).toEqual(['a', 'c']);
    const error = await client
      .run('app.search_customers', { filter: { near: { lat: 1 } } } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain('unknown filter "near"');
    const paged: unknown[] = [];
    for await (const person of client.paginate('app.search_customers', {
      filter: { attribute: { field: 'plan', operator: 'exists' } },
      limit: 1,
    }))
      paged.push(person);
    expect(paged).toHaveLength(3);
    await client.close();
  });

  it('keeps reporting webhooks and snippets', async () => {
    const client = app();
    const hook = await client.createReportingWebhook({
      name: 'Audit',
      endpoint: 'https://example.com/cio',
      events: ['email_sent', 'email_opened'],
    });
    expect(hook).toMatchObject({ id: 1, name: 'Audit', disabled: false });
    await client.updateReportingWebhook({
      webhook_id: 1,
      name: 'Audit',
      endpoint: 'https://example.com/cio',
      events: ['email_sent'],
      disabled: true,
    });
    expect(await client.getReportingWebhook({ webhook_id: 1 })).toMatchObject({
      disabled: true,
      events: ['email_sent'],
    });
    expect((await client.listReportingWebhooks({})).reporting_webhooks).toHaveLength(1);
    await expect(
      client.run('app.create_reporting_webhook', {
        name: 'x',
        endpoint: 'ftp://nope',
        events: ['email_sent'],
      }),
    ).rejects.toThrow(/endpoint must be an http/);
    await client.deleteReportingWebhook({ webhook_id: 1 });
    await expect(client.getReportingWebhook({ webhook_id: 1 })).rejects.toBeInstanceOf(NotFoundError);

    await client.createOrUpdateSnippets({ name: 'footer', value: 'v1' });
    await client.createOrUpdateSnippets({ name: 'footer', value: 'v2' });
    expect((await client.listSnippets({})).snippets).toMatchObject([{ name: 'footer', value: 'v2' }]);
    await client.deleteSnippet({ snippet_name: 'footer' });
    expect((await client.listSnippets({})).snippets).toEqual([]);
    await client.close();
  });
});

describe('exports and collections', () => {
  it('exports customers: pending, then done, with a download served by the emulator', async () => {
    const client = app();
    emulator.state.identify('x1', { email: 'x1@example.com', plan: 'pro' });
    emulator.state.identify('x2', { plan: 'free' });
    const created = await client.exportCustomers({
      filters: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
    });
    expect(created.export).toMatchObject({ status: 'pending', total: 0 });
    const id = created.export?.id ?? 0;
    await expect(client.downloadExport({ export_id: id })).rejects.toThrow(/not done yet/);
    let status = 'pending';
    for (let i = 0; i < 50 && status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = String((await client.getExport({ export_id: id })).export?.status);
    }
    expect(status).toBe('done');
    const { url: download } = await client.downloadExport({ export_id: id });
    const csv = await (await fetch(download ?? '')).text(); // no auth, like a pre-signed URL
    expect(csv.split('\n')[0]).toBe('id,email,cio_id,plan');
    expect(csv).toContain('x1,x1@example.com,');
    expect(csv).not.toContain('x2');
    await client.close();
  });

  it('creates, reads, updates and deletes collections and their content', async () => {
    const client = app();
    const created = await client.createCollection({
      name: 'stores',
      data: [{ city: 'Paris' }, { city: 'Lyon' }],
    });
    expect(created.collection).toMatchObject({ name: 'stores', rows: 2 });
    const id = created.collection?.id ?? 0;
    await client.updateCollectionContents({ collection_id: id, body: { a: { city: 'Nice' } } });
    expect(await client.getCollectionContents({ collection_id: id })).toEqual({ '0': { city: 'Nice' } });
    expect((await client.updateCollection({ collection_id: id, name: 'shops' })).collection).toMatchObject({
      name: 'shops',
      rows: 1,
    });
    await client.deleteCollection({ collection_id: id });
    await expect(client.getCollection({ collection_id: id })).rejects.toBeInstanceOf(NotFoundError);
    await client.close();
  });
});

describe('objects and relationships', () => {
  it('relates people and objects through Track v1 and v2, and reads them back through the App API', async () => {
    const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, ...options });
    const client = app();
    await track.createOrUpdateCustomer({
      identifier: 'p1',
      cio_relationships: {
        action: 'add_relationships',
        relationships: [
          {
            identifiers: { object_type_id: '1', object_id: 'acme' },
            relationship_attributes: { role: 'admin' },
          },
        ],
      },
    });
    await track.sendBatch({
      batch: [
        {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          attributes: { name: 'Acme', plan: 'enterprise' },
        },
        {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'globex' },
          attributes: { name: 'Globex', plan: 'free' },
        },
        { type: 'person', action: 'identify', identifiers: { id: 'p2' }, attributes: {} },
        {
          type: 'object',
          action: 'add_relationships',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          cio_relationships: [{ identifiers: { id: 'p2' } }],
        },
      ],
    });
    const attributes = await client.getObjectAttributes({ object_type_id: 1, object_id: 'acme' });
    expect(attributes.object?.attributes).toEqual({ name: 'Acme', plan: 'enterprise' });
    const members = await client.getObjectRelationships({ object_type_id: 1, object_id: 'acme' });
    expect(members.cio_relationships?.map((r) => r.identifiers?.id)).toEqual(['p1', 'p2']);
    const mine = await client.getCustomerRelationships({ customer_id: 'p1' });
    expect(mine.cio_relationships).toMatchObject([
      { object_type_id: 1, identifiers: { object_id: 'acme' }, attributes: { role: 'admin' } },
    ]);
    const found = await client.findObjects({
      object_type_id: '1',
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'free' } },
    });
    expect(found).toMatchObject({ ids: ['globex'] });
    await track.sendEntity({
      type: 'person',
      action: 'delete_relationships',
      identifiers: { id: 'p1' },
      cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
    });
    expect((await client.getCustomerRelationships({ customer_id: 'p1' })).cio_relationships).toEqual([]);
    await Promise.all([track.close(), client.close()]);
  });
});

describe('catalogue fixtures', () => {
  it('answers catalogue routes with the fixtures the user gives, on App and Beta', async () => {
    const client = app();
    const sampled = await client.listCampaigns({});
    expect(sampled.campaigns).toHaveLength(1); // the spec's shape, sampled
    const campaigns = { campaigns: [{ id: 12, name: 'Onboarding', state: 'running' }] };
    const put = await fetch(`${url}/__emulator/fixtures`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'app.list_campaigns': campaigns }),
    });
    expect(put.status).toBe(200);
    expect(await client.listCampaigns({})).toEqual(campaigns);
    const beta = createClient({ connector: 'beta', credentials: CREDENTIALS.app, ...options });
    expect(await beta.listCampaigns({})).toEqual(campaigns);
    const bad = await fetch(`${url}/__emulator/fixtures`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"app.no_such_thing":{}}',
    });
    expect(bad.status).toBe(400);
    await Promise.all([client.close(), beta.close()]);
  });
});

describe('v2 batch through track.send_batch', () => {
  it('gets a 207 for one invalid item and maps the error to that item’s index', async () => {
    const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, ...options });
    const result = await track.sendBatch({
      batch: [
        { type: 'person', action: 'identify', identifiers: { id: 'ok1' }, attributes: {} },
        { type: 'person', action: 'identify', identifiers: { phone: '+15550001111' }, attributes: {} },
        { type: 'person', action: 'identify', identifiers: { id: 'ok2' }, attributes: {} },
      ],
    });
    expect(result.status).toBe(207);
    expect(result.errors).toMatchObject([{ batch_index: 1, field: 'identifiers' }]);
    expect(emulator.state.people.map((p) => p.id)).toEqual(['ok1', 'ok2']);
    await track.close();
  });
});
