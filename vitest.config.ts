import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Property tests run a minute-by-minute oracle; give them room on a 2-core CI machine.
    testTimeout: 30_000,
  },
});
