import { describe, expect, it } from 'vitest';
import {
  apiErrorFor,
  apiErrorText,
  BadRequestError,
  errorToJson,
  exitCodeFor,
  ForbiddenError,
  RateLimitError,
  ServerError,
  UnauthorizedError,
  ValidationError,
} from './errors.js';

const details = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  method: 'POST',
  url: 'https://track.customer.io/api/v1/x',
  body,
  headers,
});

describe('apiErrorText', () => {
  it('reads every Customer.io error shape', () => {
    expect(apiErrorText({ meta: { error: 'primary not found' } })).toBe('primary not found');
    expect(apiErrorText({ meta: { errors: ['a is bad', 'b is bad'] } })).toBe('a is bad; b is bad');
    expect(apiErrorText({ errors: [{ detail: 'not found (reference 01F)', status: '404' }] })).toBe(
      'not found (reference 01F)',
    );
    expect(
      apiErrorText({
        errors: [{ reason: 'invalid', field: 'identifiers', message: 'must have one', batch_index: 3 }],
      }),
    ).toBe('[item 3] must have one (identifiers)');
    expect(apiErrorText('Service Unavailable')).toBe('Service Unavailable');
    expect(apiErrorText(undefined)).toBeUndefined();
    expect(apiErrorText({ unrelated: true })).toBeUndefined();
  });
});

describe('apiErrorFor', () => {
  it('picks the subclass and exit code by status', () => {
    expect(apiErrorFor(details(400, {}))).toBeInstanceOf(BadRequestError);
    const unauthorized = apiErrorFor(details(401, undefined));
    expect(unauthorized).toBeInstanceOf(UnauthorizedError);
    expect(unauthorized.exitCode).toBe(3);
    expect(unauthorized.hint).toContain('region');
    expect(apiErrorFor(details(403, {})).exitCode).toBe(4);
    expect(apiErrorFor(details(403, {}))).toBeInstanceOf(ForbiddenError);
    expect(apiErrorFor(details(504, {}))).toBeInstanceOf(ServerError);
    expect(apiErrorFor(details(504, {})).exitCode).toBe(5);
    expect(apiErrorFor(details(418, {})).type).toBe('api');
  });

  it('exposes Retry-After on 429', () => {
    const error = apiErrorFor(details(429, undefined, { 'retry-after': '3' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error instanceof RateLimitError ? error.retryAfterSeconds : undefined).toBe(3);
  });

  it('puts the API text in the message and the body in the JSON', () => {
    const error = apiErrorFor(details(400, { meta: { errors: ['name is required'] } }));
    expect(error.message).toBe('POST https://track.customer.io/api/v1/x failed with 400: name is required');
    expect(error.toJSON()).toEqual({
      type: 'bad_request',
      message: error.message,
      status: 400,
      body: { meta: { errors: ['name is required'] } },
    });
  });
});

describe('errorToJson and exitCodeFor', () => {
  it('never exposes a stack', () => {
    const json = errorToJson(new TypeError('boom'));
    expect(json).toEqual({ type: 'unexpected', message: 'boom' });
    expect(exitCodeFor(new TypeError('boom'))).toBe(1);
    expect(exitCodeFor(new ValidationError('bad', [{ path: '/a', message: 'is required' }]))).toBe(2);
    expect(new ValidationError('bad', [{ path: '/a', message: 'is required' }]).message).toBe(
      'bad: /a is required',
    );
  });
});

describe('exitCodeForType', () => {
  it('gives every error class the exit code its instances have', async () => {
    const errors = await import('./errors.js');
    const details = { status: 0, method: 'GET', url: 'u', body: undefined, headers: {} };
    const samples = [
      new errors.ValidationError('v'),
      new errors.ConfigError('c'),
      new errors.ConnectionError('c', { beforeSend: false }),
      new errors.TimeoutError('t', 1),
      new errors.AbortedError('a'),
      new errors.DeliveryUnknownError('op', new errors.TimeoutError('t', 1), 'h'),
      ...[400, 401, 403, 404, 409, 413, 422, 429, 418, 500].map((status) =>
        errors.apiErrorFor({ ...details, status }),
      ),
    ];
    for (const error of samples)
      expect([error.type, errors.exitCodeForType(error.type)]).toEqual([error.type, error.exitCode]);
    expect(errors.exitCodeForType('unexpected')).toBe(errors.EXIT.unexpected);
  });
});
