// Unit and integration tests (`npm test`). Integration tests start real arena-server processes
// (ARENA_SERVER_BINARY, default ../../build/server/arena-server); the demo's end-to-end tests have their own
// config (vitest.e2e.config.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 15_000,
    reporters: ['default'],
  },
});
