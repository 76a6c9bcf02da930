/** Paginated listings against the emulator: the library iterator and `--all`, with stateful segments. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { NotFoundError } from '../src/errors.js';
import { paginationOf } from '../src/operations/pagination.js';
import { requireOperation } from '../src/operations/registry.js';
import { cioc } from './support/cli.js';
import { CREDENTIALS, emulatorEnv, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
const options = { region: 'emulator' as const, emulatorUrl: url, rateLimits: false as const };

async function fillSegment(count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    emulator.state.identify(`p${String(i)}`, { email: `p${String(i)}@example.com` });
  const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, ...options });
  for (let from = 0; from < count; from += 1000) {
    const ids = Array.from({ length: Math.min(1000, count - from) }, (_, k) => `p${String(from + k)}`);
    await track.run('track.add_customers_to_segment', { segment_id: 1, ids });
  }
  await track.close();
}

describe('pagination', () => {
  it('knows which operations paginate and where their items are', () => {
    expect(paginationOf(requireOperation('app.list_customers_in_segment'))).toEqual({
      kind: 'cursor',
      items: 'identifiers',
    });
    expect(paginationOf(requireOperation('app.search_customers'))).toEqual({
      kind: 'cursor',
      items: 'identifiers',
    });
    expect(paginationOf(requireOperation('beta.list_activities'))).toEqual({
      kind: 'cursor',
      items: 'activities',
    });
    expect(paginationOf(requireOperation('app.list_esp_suppressions'))).toEqual({
      kind: 'offset',
      items: 'suppressions',
    });
    expect(paginationOf(requireOperation('app.get_campaign_metrics'))).toBeUndefined(); // `start` is a time there
    expect(paginationOf(requireOperation('app.list_segments'))).toBeUndefined();
  });

  it('iterates every item across pages, and stops at a page cap', async () => {
    await fillSegment(2500);
    const app = createClient({ connector: 'app', credentials: CREDENTIALS.app, ...options });
    const items: { id: string }[] = [];
    for await (const item of app.paginate('app.list_customers_in_segment', { segment_id: 1, limit: 1000 }))
      items.push(item as { id: string });
    expect(items).toHaveLength(2500);
    expect(new Set(items.map((i) => i.id)).size).toBe(2500);
    expect(emulator.requests.filter((r) => r.path === '/v1/segments/1/membership')).toHaveLength(3);
    let capped = 0;
    for await (const _ of app.paginate(
      'app.list_customers_in_segment',
      { segment_id: 1, limit: 1000 },
      { maxPages: 2 },
    ))
      capped += 1;
    expect(capped).toBe(2000);
    await app.close();
  });

  it('streams every item as NDJSON with --all, on App and Beta', async () => {
    await fillSegment(1200);
    for (const connector of ['app', 'beta']) {
      const result = await cioc(
        [connector, 'list-customers-in-segment', '--segment-id', '1', '--limit', '500', '--all'],
        { env: emulatorEnv(url) },
      );
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { cio_id: string });
      expect(lines).toHaveLength(1200);
      expect(new Set(lines.map((l) => l.cio_id)).size).toBe(1200);
    }
    const capped = await cioc(
      [
        'app',
        'list-customers-in-segment',
        '--segment-id',
        '1',
        '--limit',
        '500',
        '--all',
        '--max-pages',
        '1',
      ],
      { env: emulatorEnv(url) },
    );
    expect(capped.stdout.trim().split('\n')).toHaveLength(500);
    const notPaginated = await cioc(['app', 'list-segments', '--all'], { env: emulatorEnv(url) });
    expect(notPaginated.code).toBe(2);
    const viaRun = await cioc(['run', 'app.list_segments', '--all'], { env: emulatorEnv(url) });
    expect(viaRun.code).toBe(2);
    expect(viaRun.stderr).toContain('not a paginated listing');
  });
});

describe('manual segments in the emulator', () => {
  it('are created, read, counted and deleted', async () => {
    const app = createClient({ connector: 'app', credentials: CREDENTIALS.app, ...options });
    const created = (await app.run('app.create_manual_segment', {
      segment: { name: 'VIPs', description: 'Top buyers' },
    })) as { segment: { id: number } };
    const id = created.segment.id;
    expect(await app.run('app.get_segment', { segment_id: id })).toMatchObject({
      segment: { id, name: 'VIPs', type: 'manual' },
    });
    emulator.state.identify('v1', {});
    const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, ...options });
    await track.run('track.add_customers_to_segment', { segment_id: id, ids: ['v1', 'ghost'] });
    expect(await app.run('app.get_segment_customer_count', { segment_id: id })).toEqual({ count: 1 });
    const listed = (await app.run('app.list_segments', {})) as { segments: { name: string }[] };
    expect(listed.segments.map((s) => s.name)).toEqual(['Emulator manual segment', 'VIPs']);
    await app.run('app.delete_segment', { segment_id: id });
    await expect(app.run('app.get_segment', { segment_id: id })).rejects.toBeInstanceOf(NotFoundError);
    await app.close();
    await track.close();
  });
});
