import { defineConfig } from 'vitest/config';

/** The corpus suite: reads the upstream katas in ../shared/upstream (run by .ci/run, not npm test). */
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
