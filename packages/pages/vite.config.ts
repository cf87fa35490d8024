import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The server serves dist/index.html at the hosted page paths (/sign-in, /t/T/sign-in, …)
// and dist/assets/* at /pages/assets/*, under a CSP without inline scripts.
export default defineConfig({
  base: '/pages/',
  esbuild: { jsx: 'automatic' },
  // The typed API client from source, as the workspace has it (packages/client).
  resolve: {
    alias: { '@postern/client': fileURLToPath(new URL('../client/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The preload polyfill is not needed by current browsers; keep the bundle CSP-clean.
    modulePreload: { polyfill: false },
    // Fonts and images stay files under assets/ rather than data: URLs in CSS.
    assetsInlineLimit: 0,
  },
});
