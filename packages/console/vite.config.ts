import { defineConfig } from 'vite';

// The server serves dist/index.html at /console/* (and the hosted page paths) and
// dist/assets/* at /console/assets/*, under a CSP without inline scripts.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic' },
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
