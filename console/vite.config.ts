/**
 * Builds the console (Preact, no React plugin: esbuild compiles the JSX) into `dist/console/`,
 * which `cioc serve` serves at `/` with hashed assets under `/assets/`.
 * `npx vite --config console/vite.config.ts` serves it for development, proxying `/api` and
 * `/hooks` to a running `cioc serve` (CIOC_CONSOLE_API, default http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env['CIOC_CONSOLE_API'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // No inline scripts under the CSP: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': api, '/hooks': api } },
});
