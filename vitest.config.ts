import { defineConfig } from 'vitest/config';

/** The default suite: needs nothing but this clone (no ../shared, no cluster). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/corpus/**', 'test/cluster/**', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
