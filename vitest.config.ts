import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one PostgreSQL; each uses its own schema, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
