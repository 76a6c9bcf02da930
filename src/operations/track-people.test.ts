import { describe, expect, it } from 'vitest';
import { createClient } from '../client.js';
import { ValidationError } from '../errors.js';

const track = createClient({
  connector: 'track',
  baseUrl: 'http://127.0.0.1:9/api',
  credentials: { siteId: 'site', apiKey: 'key' },
});

describe('attributes named like Object.prototype members', () => {
  const names = [
    'constructor',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__proto__',
    '__defineGetter__',
    '__lookupSetter__',
  ];
  it.each(names)('%s is an ordinary attribute, sent as a body field', (name) => {
    // JSON.parse makes "__proto__" an own property, as a CLI or HTTP input would.
    const attributes = JSON.parse(`{${JSON.stringify(name)}: "v"}`) as Record<string, unknown>;
    const prepared = track.prepare('track.create_or_update_customer', { identifier: '42', attributes });
    const body = JSON.parse(prepared.request.body ?? '{}') as Record<string, unknown>;
    expect(Object.hasOwn(body, name)).toBe(true);
    expect(body[name]).toBe('v');
  });

  it('the reserved names are still refused, with the input to use', () => {
    let error: unknown;
    try {
      track.prepare('track.create_or_update_customer', { identifier: '42', attributes: { _update: true } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      {
        path: '/attributes/_update',
        message: 'is reserved by Customer.io: use the "update_only" input instead',
      },
    ]);
  });
});
