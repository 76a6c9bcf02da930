/**
 * What the compiler accepts from the library. The `@ts-expect-error` lines are checked by `tsc`
 * (`npm run typecheck` covers test/): each fails the typecheck if the line it marks compiles.
 * The calls themselves run against the emulator, so the untyped escape hatch is proven at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createClient, type ConnectorClient } from '../src/client.js';
import { ConfigError, ValidationError } from '../src/errors.js';
import { fromEnv } from '../src/from-env.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { url } = await useEmulator();

/** Never called: only compiled. */
export function compileOnly(
  app: ConnectorClient<'app'>,
  track: ConnectorClient<'track'>,
  dynamicId: string,
): void {
  // @ts-expect-error: no such operation (a typo)
  void app.run('app.get_segmnt', { segment_id: 1 });
  // @ts-expect-error: segment_id is a number
  void app.run('app.get_segment', { segment_id: 'x' });
  // @ts-expect-error: identifier is required
  void track.run('track.delete_customer', {});
  // @ts-expect-error: a Track operation on an App client
  void app.run('track.delete_customer', { identifier: '42' });
  // @ts-expect-error: a dynamic id needs the explicitly untyped call
  void app.run(dynamicId, {});
  // @ts-expect-error: typed methods check their input too
  void track.deleteCustomer({ id: 42 });
  // The escape hatch takes anything (and checks it when it runs).
  void app.runUntyped(dynamicId, { segment_id: 'x' });
  expectTypeOf(track.run('track.delete_customer', { identifier: '42' })).resolves.not.toBeUnknown();
  expectTypeOf(app.runUntyped('app.list_segments', {})).resolves.toBeUnknown();
  expectTypeOf(fromEnv('track')).toExtend<Parameters<typeof createClient<'track'>>[0]>();

  // paginate: only this connector's paginated listings, with typed input and typed items.
  // @ts-expect-error: get_segment is not a paginated listing
  void app.paginate('app.get_segment', { segment_id: 1 });
  // @ts-expect-error: no such operation (a typo)
  void app.paginate('app.list_customers_in_segmnt', { segment_id: 1 });
  // @ts-expect-error: a Track client has no App listing
  void track.paginate('app.list_messages', {});
  // @ts-expect-error: segment_id is required
  void app.paginate('app.list_customers_in_segment', {});
  // @ts-expect-error: segment_id is a number
  void app.paginate('app.list_customers_in_segment', { segment_id: 'x' });
  // @ts-expect-error: a dynamic id needs the explicitly untyped call
  void app.paginate(dynamicId, {});
  void app.paginateUntyped(dynamicId, {});
  void app.paginate('app.list_messages');
  const _people = app.paginate('app.list_customers_in_segment', { segment_id: 1 });
  type Person = typeof _people extends AsyncGenerator<infer Item, void, undefined> ? Item : never;
  expectTypeOf<Person['cio_id']>().toEqualTypeOf<string>();
  expectTypeOf<Person['id']>().toEqualTypeOf<string | null>();
  expectTypeOf(app.paginate('app.list_messages')).not.toEqualTypeOf<
    AsyncGenerator<unknown, void, undefined>
  >();
  expectTypeOf(app.paginateUntyped(dynamicId)).toEqualTypeOf<AsyncGenerator<unknown, void, undefined>>();
}

describe('typed entry points', () => {
  it('the untyped escape hatch validates at run time what the compiler could not', async () => {
    const app = createClient({
      connector: 'app',
      region: 'emulator',
      emulatorUrl: url,
      credentials: CREDENTIALS.app,
    });
    await expect(app.runUntyped('app.get_segment', { segment_id: 'x' })).rejects.toThrow(ValidationError);
    await expect(app.runUntyped('track.delete_customer', { identifier: '42' })).rejects.toThrow(ConfigError);
    expect(await app.runUntyped('app.list_segments', {})).toHaveProperty('segments');
    await app.close();
  });
});
