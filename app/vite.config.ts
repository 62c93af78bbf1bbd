import { defineConfig } from 'vite';

// The page is static: `npm run build` writes dist/, which `scripts/run-dev.sh` serves next to
// the dev chain. @polkadot/* packages are ES modules and need no polyfills in a browser.
export default defineConfig({
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
