import { defineConfig } from 'vitest/config';

// Integration tests start real processes and bind real sockets; on a 2-core machine two files at a time
// is the most that keeps timings honest. Unit tests are fast either way.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/reporters/summary-line.ts'],
  },
});
