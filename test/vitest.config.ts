import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Used by `npm test` (test/run-tests.mjs) and `npm run test:watch`; paths are relative to the repo root.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
