/**
 * The package from CommonJS: a real `require()` of the built package (dist/, built by `npm test`)
 * in a child process, installed the way npm would (node_modules/customerio-connectors).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SCRIPT = `
const cioc = require('customerio-connectors');
const { createEmulator } = require('customerio-connectors/emulator');
const { sendBatch, BatchAbortedError } = require('customerio-connectors/batch');
const { AuthStore } = require('customerio-connectors/store');

(async () => {
  const emulator = createEmulator();
  const url = await emulator.listen({ port: 0, host: '127.0.0.1' });
  const track = cioc.createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { siteId: 'emulator-site-id', apiKey: 'emulator-track-key' },
  });
  await track.createOrUpdateCustomer({ identifier: '42', email: 'ada@example.com' });
  let invalid;
  try {
    await track.run('track.delete_customer', { identifier: '' });
  } catch (error) {
    invalid = { sameClass: error instanceof cioc.ValidationError, type: error.type };
  }
  await track.close();
  await emulator.close();
  console.log(JSON.stringify({
    version: cioc.VERSION,
    people: emulator.state.people.map((p) => p.id),
    invalid,
    batch: typeof sendBatch,
    sharedErrors: BatchAbortedError.prototype instanceof Error,
    store: typeof AuthStore.open,
  }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

describe('CommonJS', () => {
  it('require() gives the library, the emulator, the batch builder and the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cioc-cjs-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'customerio-connectors'), 'dir');
    writeFileSync(join(dir, 'main.cjs'), SCRIPT);
    const { stdout } = await promisify(execFile)(process.execPath, ['main.cjs'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
      people: ['42'],
      invalid: { sameClass: true, type: 'validation' },
      batch: 'function',
      sharedErrors: true,
      store: 'function',
    });
  });
});
