import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests spawn the real binary and real servers; two cores, keep it modest.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
})
