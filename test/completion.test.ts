/** Shell completion: enum flag values, connector-accurate flags, and a fish script. */
import { describe, expect, it } from 'vitest';
import { cioc } from './support/cli.js';

const words = async (...w: string[]) => (await cioc(['__complete', '--', ...w])).stdout.trim().split('\n');

describe('completion', () => {
  it('completes the values of enum flags', async () => {
    expect(await words('app', 'raw-http-request', '--method', '')).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ]);
    expect(await words('app', 'raw-http-request', '--body-type', '')).toEqual([
      'none',
      'json',
      'raw',
      'form_urlencoded',
    ]);
    expect(await words('track', 'track-custom-event', '--type', 'p')).toEqual(['page']);
    expect(await words('app', 'list-segments', '--region', 'e')).toEqual(['eu', 'emulator']);
  });

  it('offers the flags each command has: --site-id on Track only, --all on listings', async () => {
    const app = await words('app', 'list-customers-in-segment', '--');
    expect(app).toEqual(expect.arrayContaining(['--segment-id', '--all', '--max-pages', '--json']));
    expect(app).not.toContain('--site-id');
    const track = await words('track', 'delete-customer', '--');
    expect(track).toContain('--site-id');
    expect(track).not.toContain('--all');
  });

  it('prints a fish script', async () => {
    const fish = await cioc(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c cioc -f -a '(__cioc_complete)'");
    expect(fish.stdout).toContain('cioc __complete -- $words[2..-1]');
    expect(await words('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect((await cioc(['completion', 'tcsh'])).code).toBe(2);
  });
});
