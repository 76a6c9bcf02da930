import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { baseUrlFor, checkedHttpUrl } from './regions.js';

describe('the region table', () => {
  it('has every base URL of the three connectors', () => {
    expect(baseUrlFor('track', 'us')).toBe('https://track.customer.io/api');
    expect(baseUrlFor('app', 'us')).toBe('https://api.customer.io/v1');
    expect(baseUrlFor('beta', 'us')).toBe('https://beta-api.customer.io/v1/api');
    expect(baseUrlFor('track', 'eu')).toBe('https://track-eu.customer.io/api');
    expect(baseUrlFor('app', 'eu')).toBe('https://api-eu.customer.io/v1');
    expect(baseUrlFor('beta', 'eu')).toBe('https://beta-api-eu.customer.io/v1/api');
  });

  it('serves the three path spaces from one emulator origin', () => {
    expect(baseUrlFor('track', 'emulator')).toBe('http://127.0.0.1:4010/api');
    expect(baseUrlFor('app', 'emulator', { emulatorUrl: 'http://localhost:9000/' })).toBe(
      'http://localhost:9000/v1',
    );
    expect(baseUrlFor('beta', 'emulator', { emulatorUrl: 'http://localhost:9000' })).toBe(
      'http://localhost:9000/v1/api',
    );
  });

  it('validates user-supplied URLs', () => {
    expect(checkedHttpUrl('https://proxy.example/track/', 'base URL')).toBe('https://proxy.example/track');
    for (const bad of ['ftp://x', 'not a url', 'https://u:p@x', 'https://x/?a=1']) {
      expect(() => checkedHttpUrl(bad, 'base URL')).toThrow(ConfigError);
    }
  });
});
