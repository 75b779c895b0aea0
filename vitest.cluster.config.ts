import { defineConfig } from 'vitest/config';

/**
 * The cluster suite: runs katas against a real Kubernetes API (the local lab in CI).
 * Needs KATA_TEST_KUBECONFIG; run by .ci/run once the lab is up, not by npm test.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
