/**
 * Compatibility: the official Node client (customerio-node@4), unchanged, against the emulator.
 * It accepts only 200/201, so every call resolving is itself a check of the emulator's answers.
 */
import http from 'node:http';
import { APIClient, SendEmailRequest, TrackClient } from 'customerio-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
const port = Number(new URL(url).port);
const agent = new http.Agent({ keepAlive: false });
const defaults = (path: string) => ({ url: `${url}${path}`, port, protocol: 'http:', agent });

const track = new TrackClient(CREDENTIALS.track.siteId, CREDENTIALS.track.apiKey, defaults('/api/v1'));
const api = new APIClient(CREDENTIALS.app.apiKey, defaults('/v1'));

afterAll(() => {
  agent.destroy();
});

const person = (id: string) => emulator.state.people.find((p) => p.id === id);

describe('customerio-node@4 against the emulator', () => {
  it('identify and destroy', async () => {
    await track.identify('u1', { email: 'u1@example.com', plan: 'pro', age: 30 });
    expect(person('u1')).toMatchObject({ email: 'u1@example.com', attributes: { plan: 'pro', age: '30' } });
    await track.destroy('u1');
    expect(person('u1')).toBeUndefined();
  });

  it('track, trackAnonymous and trackPageView', async () => {
    await track.identify('u2', {});
    await track.track('u2', { name: 'purchase', data: { price: 10 } });
    await track.trackAnonymous('anon-1', { name: 'visited', data: { page: '/' } });
    await track.trackPageView('u2', '/pricing');
    expect(emulator.state.events).toMatchObject([
      { name: 'purchase', customer_id: 'u2', type: 'event', data: { price: 10 } },
      { name: 'visited', anonymous_id: 'anon-1', customer_id: null },
      { name: '/pricing', customer_id: 'u2', type: 'page' },
    ]);
  });

  it('addDevice and deleteDevice', async () => {
    await track.identify('u3', {});
    await track.addDevice('u3', 'token-1', 'ios', { last_used: 1700000000, app_version: '1.2' });
    expect(person('u3')?.devices).toEqual([
      { id: 'token-1', platform: 'ios', last_used: 1700000000, attributes: { app_version: '1.2' } },
    ]);
    await track.deleteDevice('u3', 'token-1');
    expect(person('u3')?.devices).toEqual([]);
  });

  it('suppress and unsuppress', async () => {
    await track.identify('u4', { email: 'u4@example.com' });
    await track.suppress('u4');
    expect(person('u4')).toMatchObject({ suppressed: true, attributes: {} });
    await track.identify('u4', { plan: 'again' }); // dropped: the identifier is suppressed
    expect(person('u4')?.attributes).toEqual({});
    await track.unsuppress('u4');
    expect(person('u4')).toBeUndefined();
    await track.identify('u4', { plan: 'new' });
    expect(person('u4')?.attributes).toMatchObject({ plan: 'new' });
  });

  it('mergeCustomers', async () => {
    await track.identify('primary', { email: 'p@example.com' });
    await track.identify('secondary', { only_secondary: 'yes' });
    await track.mergeCustomers('id' as never, 'primary', 'id' as never, 'secondary');
    expect(person('secondary')).toBeUndefined();
    expect(person('primary')?.attributes).toMatchObject({ only_secondary: 'yes', email: 'p@example.com' });
  });

  it('sendEmail', async () => {
    const request = new SendEmailRequest({
      to: 'ada@example.com',
      transactional_message_id: 7,
      identifiers: { id: 'u5' },
      message_data: { name: 'Ada' },
    });
    const sent = (await api.sendEmail(request)) as { delivery_id: string; queued_at: number };
    expect(sent.delivery_id).toMatch(/^emu-email-/);
    expect(emulator.state.deliveries).toMatchObject([
      { delivery_id: sent.delivery_id, to: 'ada@example.com', transactional_message_id: 7 },
    ]);
  });

  it('triggerBroadcast (legacy /v1/api path)', async () => {
    await track.identify('r1', {});
    const trigger = (await api.triggerBroadcast(1, { promo: 'x' }, { ids: ['r1'] })) as { id: number };
    expect(trigger.id).toBe(1);
    expect(emulator.state.triggers.filter((t) => t.broadcast_id === 1)).toMatchObject([
      { id: 1, broadcast_id: 1, errors: [] },
    ]);
    expect(emulator.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/api/campaigns/1/triggers',
      status: 200,
    });
  });

  it('getCustomersByEmail', async () => {
    await track.identify('e1', { email: 'Case@Example.com' });
    const found = (await api.getCustomersByEmail('case@example.com')) as { results: unknown[] };
    expect(found.results).toEqual([{ email: 'Case@Example.com', id: 'e1', cio_id: person('e1')?.cio_id }]);
  });

  it('is refused with a wrong key', async () => {
    const wrong = new TrackClient(CREDENTIALS.track.siteId, 'wrong', defaults('/api/v1'));
    await expect(wrong.identify('x', {})).rejects.toMatchObject({ statusCode: 401 });
  });
});
