import { defineConfig } from 'vitest/config';

/** Tests of test/lab/ that need a running lab (the others use fake lab folders and run in `unit`). */
const NEEDS_LAB = ['lab.test.ts', 'down.test.ts', 'run-with-lab.test.ts', 'ui-on-lab.test.ts', 'mesh.test.ts', 'shared-state.test.ts'].map(
  (f) => `test/lab/${f}`,
);

/**
 * One config, one project per suite (`vitest run --project NAME`; see package.json):
 * - unit: needs nothing but this clone (no ../shared, no cluster); `npm test` runs it.
 * - corpus: reads the upstream katas in ../shared/upstream (.ci/run).
 * - cluster: runs katas against a real Kubernetes API (KATA_TEST_KUBECONFIG; the lab in CI);
 *   KATA_CLUSTER_SUITE=mesh runs its mesh half.
 * - chaos: cluster faults (a paused API server, a killed run, two runs in one namespace, a
 *   missing image, a limited user) injected into the lab during runs; root, the lab up.
 * - lab: checks the local lab (`kata lab up`) works for katas.
 * - lab-down: takes the lab down and proves nothing is left; CI runs it last.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/corpus/**', 'test/cluster/**', 'test/chaos/**', ...NEEDS_LAB, 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      { test: { name: 'corpus', include: ['test/corpus/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Faults injected into the lab's API server during real runs (.ci/run, after the cluster suite).
        test: { name: 'chaos', include: ['test/chaos/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 120_000, fileParallelism: false },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          exclude: ['test/lab/down.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      { test: { name: 'lab-down', include: ['test/lab/down.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } },
    ],
  },
});
