/**
 * Every operation is typed from its schema, the generated ones included: the calls below must
 * type-check (`npm test` runs tsc over the tests) and run against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
const options = { region: 'emulator' as const, emulatorUrl: url, rateLimits: false as const };

describe('typed operations', () => {
  it('types the generated operations’ inputs and outputs, on every connector', async () => {
    const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, ...options });
    const app = createClient({ connector: 'app', credentials: CREDENTIALS.app, ...options });
    const beta = createClient({ connector: 'beta', credentials: CREDENTIALS.app, ...options });
    await track.createOrUpdateCustomer({ identifier: '42', email: 'ada@example.com' });
    await track.addDevice({ identifier: '42', device: { id: 'token-1', platform: 'ios' } });
    const region = await track.getAccountRegion({});
    const where: 'us' | 'eu' | undefined = region.region;
    expect(where).toBe('us');
    const created = await app.createManualSegment({ segment: { name: 'Typed' } });
    const id: number | undefined = created.segment?.id;
    expect(typeof id).toBe('number');
    const segments = await beta.listSegments({});
    expect(segments.segments?.map((s) => s.name)).toContain('Typed');
    const byId = await app.run('app.get_customer_attributes', { customer_id: '42' });
    expect(byId.customer?.devices?.[0]?.id).toBe('token-1');

    // @ts-expect-error: `platform` must be "ios" or "android".
    const wrong = () => track.addDevice({ identifier: '42', device: { id: 't', platform: 'web' } });
    await expect(wrong()).rejects.toThrow(/platform/);
    // @ts-expect-error: `segment_id` is required.
    await expect(app.getSegment({})).rejects.toThrow(/segment_id is required/);
    expect(emulator.state.find('id', '42')?.devices).toHaveLength(1);
    await Promise.all([track.close(), app.close(), beta.close()]);
  });
});
