import { defineConfig } from 'vitest/config';

/**
 * The lab suite: checks the local lab (`kata lab up`) works for katas. Not part of npm test.
 * KATA_LAB_SUITE=down runs only test/lab/down.test.ts, which takes the lab down and proves
 * nothing is left: CI runs it last, after the other suites that use the lab.
 */
const down = process.env.KATA_LAB_SUITE === 'down';

export default defineConfig({
  test: {
    include: down ? ['test/lab/down.test.ts'] : ['test/lab/**/*.test.ts'],
    exclude: down ? [] : ['test/lab/down.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
