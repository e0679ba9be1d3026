// End-to-end tests of the browser demo: real arena-server, real Chromium (npm run test:e2e).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Generous: every wait inside is for a DOM state, and a loaded 2-core machine is slow, not stuck.
    testTimeout: 45_000,
    hookTimeout: 30_000,
    teardownTimeout: 15_000,
  },
});
