/**
 * The CommonJS build (`require('customerio-connectors')`), next to the ESM one that `tsc` writes
 * into dist/. One `.cjs` (and `.d.cts`) per entry point, flat in dist/ so that `../package.json`
 * (src/version.ts) still points at the package root; shared code is in common chunks, so that a
 * class is the same class whichever entry point it was required from.
 */
import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    emulator: 'src/emulator/index.ts',
    batch: 'src/delivery/batch-builder.ts',
    store: 'src/store/auth-store.ts',
  },
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  // tsc's ESM output lives in the same folder.
  clean: false,
  dts: true,
  shims: true,
  // The generated operations are data read at run time (src/spec-data.ts), next to the code.
  copy: [{ from: 'src/operations/generated/*.json', to: 'dist/operations/generated' }],
  tsconfig: 'tsconfig.build.json',
  // The bundle's timings are not news at every build.
  inputOptions: { checks: { pluginTimings: false } },
});
