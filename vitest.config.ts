import { defineConfig } from 'vitest/config'

// Tests run on the pinned Node (node_modules/.bin/node) that npm scripts put first on PATH.
// Forks, not threads: native addons (rocksdb, sodium, udx) are loaded per process.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'keys/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
