#!/usr/bin/env node
// The second half of `npm run build`: bundles what tsc wrote to dist/ into the `kata` command
// that runs (dist/cli.js and the chunks it loads on demand in dist/chunks/). One file per chunk
// instead of thousands of modules makes start-up faster and memory smaller: the Kubernetes client
// alone is ~1,700 modules (~0.5 s and ~50 MB more when loaded one by one). The rest of dist/
// stays as tsc wrote it, for tests and benchmarks that import single modules.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
rmSync(join(dist, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { cli: join(dist, 'cli.js') },
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  // React and Ink in their production form; Ink's devtools (DEV=true only) stay out.
  define: { 'process.env.NODE_ENV': '"production"' },
  external: ['react-devtools-core'],
  // CommonJS packages inside the ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __kataCreateRequire } from 'node:module'; const require = __kataCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
