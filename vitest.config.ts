import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    alias: {
      '@postern/client': fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
      '@postern/connector-kit/conformance': fileURLToPath(
        new URL('./packages/connector-kit/src/conformance.ts', import.meta.url),
      ),
      '@postern/connector-kit': fileURLToPath(
        new URL('./packages/connector-kit/src/index.ts', import.meta.url),
      ),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
