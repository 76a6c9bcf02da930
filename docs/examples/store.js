// Named authentications from a program: create one in a store, pick it by name, test it, call
// Customer.io with it. Runs as is against an in-process emulator: node docs/examples/store.js
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, testAuthentication } from 'customerio-connectors';
import { createEmulator, DEFAULT_WORKSPACE } from 'customerio-connectors/emulator';
import { AuthStore } from 'customerio-connectors/store';

const emulator = createEmulator();
const emulatorUrl = await emulator.listen({ port: 0 });

// A store of its own (default: CIOC_HOME, then ~/.cioc), acting as the user "ada"
// (default: CIOC_USER, then the OS user). The master key comes from CIOC_MASTER_KEY in `env`,
// or a key file created beside the database.
const store = AuthStore.open({
  home: join(mkdtempSync(join(tmpdir(), 'cioc-example-')), 'home'),
  user: 'ada',
});
try {
  store.create({
    name: 'prod-track',
    connector: 'track',
    scope: 'personal', // or 'organisational': every member of the organisation may use it
    region: 'emulator', // 'us' | 'eu' | 'emulator'
    credentials: { siteId: DEFAULT_WORKSPACE.siteId, apiKey: DEFAULT_WORKSPACE.trackApiKey },
  });
  store.setDefault('prod-track'); // the user's default for the track connector

  // Listing never shows a secret: a masked hint of the key only.
  for (const auth of store.list()) console.log(auth.name, auth.connector, auth.scope, auth.region, auth.key);

  // `resolve` decrypts the credentials, for making calls ('personal:prod-track' or
  // 'organisational:…' pick one of two that share a name; { id } picks by id).
  const auth = store.resolve('prod-track');
  const report = await testAuthentication(auth, { emulatorUrl });
  store.recordTest('prod-track', report); // shown as "last test" by `cioc auth list`
  console.log(report.message);

  const track = createClient({
    connector: auth.connector,
    region: auth.region,
    credentials: auth.credentials,
    baseUrl: auth.baseUrl ?? undefined,
    emulatorUrl,
  });
  await track.run('track.create_or_update_customer', { identifier: '42', email: 'ada@example.com' });
  await track.close();
  console.log('people in the emulator:', emulator.state.people.length);
} finally {
  store.close();
  await emulator.close();
}
