/** Region diagnosis through the real region table, with the hosts routed to an EU emulator. */
import { describe, expect, it } from 'vitest';
import { testAuthentication } from '../src/diagnose.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { RoutingAgent } from './support/routing-dispatcher.js';

const { url } = await useEmulator({ workspace: { region: 'eu' } });
const hosts = [
  'track.customer.io',
  'track-eu.customer.io',
  'api.customer.io',
  'api-eu.customer.io',
  'beta-api.customer.io',
  'beta-api-eu.customer.io',
];
const dispatcher = new RoutingAgent(Object.fromEntries(hosts.map((h) => [h, url])));

describe('auth test region diagnosis', () => {
  it('tells a Track account in EU apart from an authentication that says US', async () => {
    const report = await testAuthentication(
      { name: 'prod', connector: 'track', region: 'us', credentials: CREDENTIALS.track },
      { dispatcher },
    );
    expect(report).toMatchObject({
      ok: false,
      accountRegion: 'eu',
      fix: 'cioc auth update "prod" --region eu',
    });
    expect(report.message).toContain('EU region while this authentication says US');
    const right = await testAuthentication(
      { connector: 'track', region: 'eu', credentials: CREDENTIALS.track },
      { dispatcher },
    );
    expect(right).toMatchObject({ ok: true, accountRegion: 'eu' });
  });

  it('finds that an App or Beta key refused in US belongs to EU', async () => {
    for (const connector of ['app', 'beta'] as const) {
      const report = await testAuthentication(
        { name: 'k', connector, region: 'us', credentials: CREDENTIALS.app },
        { dispatcher },
      );
      expect(report).toMatchObject({
        ok: false,
        accountRegion: 'eu',
        fix: 'cioc auth update "k" --region eu',
      });
      expect(report.message).toBe(
        'This key belongs to the EU region: it is refused in US and accepted in EU.',
      );
      expect(
        await testAuthentication({ connector, region: 'eu', credentials: CREDENTIALS.app }, { dispatcher }),
      ).toMatchObject({ ok: true });
    }
  });

  it('says a key refused in both regions is wrong', async () => {
    const report = await testAuthentication(
      { connector: 'app', region: 'us', credentials: { apiKey: 'not-a-key' } },
      { dispatcher },
    );
    expect(report).toEqual({
      ok: false,
      message: 'The key was refused (401) in both regions: it is wrong, revoked, or not an App API key.',
    });
    const track = await testAuthentication(
      { connector: 'track', region: 'eu', credentials: { siteId: 'x', apiKey: 'y' } },
      { dispatcher },
    );
    expect(track.message).toContain('refused (401)');
  });
});
