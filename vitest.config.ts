import { defineConfig } from 'vitest/config';

/** The default suite: needs nothing but this clone (no ../shared, no cluster). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/corpus/**', 'test/cluster/**', 'test/lab/lab.test.ts', 'test/lab/down.test.ts', 'test/lab/run-with-lab.test.ts', 'test/lab/ui-on-lab.test.ts', 'test/lab/mesh.test.ts', 'test/lab/shared-state.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
