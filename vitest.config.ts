import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // One real PostgreSQL for the whole run (or TEST_DATABASE_URL's); its URL reaches tests by inject.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    // Property tests run a minute-by-minute oracle; give them room on a 2-core CI machine.
    testTimeout: 30_000,
  },
});
