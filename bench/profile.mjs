#!/usr/bin/env node
// `npm run bench:profile`: where the time goes in the figures that miss their targets. Runs each
// scenario under V8's CPU profiler (--cpu-prof), attributes every sample to the module it ran in
// (the bundle's chunks are mapped back to their modules through esbuild's `// path` comments) and
// writes bench/PROFILE.md: time per category and the busiest functions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, floodFiles, floodKata, labEnv, labIsUp, root, stepsKata } from './inputs.mjs';

const work = mkdtempSync(join(tmpdir(), 'kata-profile-'));

/** For a bundle chunk: the module each line belongs to (from esbuild's `// dist/x.js` headers). */
const chunkModules = new Map();
function moduleAt(url, line) {
  if (!url.startsWith('file://')) return url;
  const path = fileURLToPath(url);
  const rel = relative(root, path);
  if (!rel.startsWith('dist/chunks/') && rel !== 'dist/cli.js') return rel;
  let ranges = chunkModules.get(path);
  if (ranges === undefined) {
    ranges = [];
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /^\/\/ ((?:dist|node_modules)\/\S+)$/.exec(text);
        if (m !== null) ranges.push([i, m[1]]);
      });
    chunkModules.set(path, ranges);
  }
  let found = rel;
  for (const [start, module] of ranges) if (start <= line) found = module;
  return found;
}

const CATEGORIES = [
  [/^\(idle\)$/, 'waiting (processes, pipes, the API server)'],
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^\(program\)$/, 'V8 and Node native code'],
  [/^regexp$/, "regular expressions (ours and markdown-it's)"],
  [/^node:internal\/(modules|bootstrap|process\/pre_execution|vm)|^node:internal\/main/, 'Node: starting and loading modules'],
  [/^node:|^\(native\)$/, 'Node: runtime (streams, pipes, child processes, TLS)'],
  [/^dist\/kata\//, 'kata-runner: parsing and inference (src/kata)'],
  [/^dist\/(run|report|checks)\//, 'kata-runner: engine, checks, reporters'],
  [/^dist\/exec\//, 'kata-runner: shells and framing (src/exec)'],
  [/^dist\/k8s\//, 'kata-runner: Kubernetes (src/k8s)'],
  [/^dist\/ui\//, 'kata-runner: UI'],
  [/^dist\//, 'kata-runner: other'],
  [/^node_modules\/(markdown-it|entities|linkify-it|mdurl|uc\.micro|punycode)/, 'markdown-it and its packages'],
  [
    /^node_modules\/@kubernetes|^node_modules\/(node-fetch|js-yaml|ws|jsonpath|hpagent|socks|openid|form-data|rfc4648|tar)/,
    'Kubernetes client and its packages',
  ],
  [/^node_modules\/(ink|react|yoga|scheduler)/, 'Ink, React, yoga'],
  [/^node_modules\//, 'other packages'],
  [/./, 'other'],
];
const categoryOf = (module) => CATEGORIES.find(([re]) => re.test(module))?.[1] ?? 'other';

/** Self time per category and per function, summed over profiles. */
function summarize(files) {
  const byCategory = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const frame = nodes.get(id).callFrame;
      const special = /^\((idle|garbage collector|program)\)$/.test(frame.functionName) ? frame.functionName : undefined;
      const module = special ?? (frame.functionName.startsWith('RegExp:') ? 'regexp' : moduleAt(frame.url, frame.lineNumber) || '(native)');
      const category = categoryOf(module);
      byCategory.set(category, (byCategory.get(category) ?? 0) + us);
      const name =
        special ?? `${frame.functionName || '(anonymous)'} (${module.startsWith('regexp') ? frame.functionName.slice(8, 48) : module})`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      total += us;
    });
  }
  return { byCategory, byFunction, total, runs: files.length };
}

function section(title, what, summary) {
  const ms = (us) => (us / 1000 / summary.runs).toFixed(1);
  const pct = (us) => `${((100 * us) / summary.total).toFixed(0)}%`;
  const categories = [...summary.byCategory].sort((a, b) => b[1] - a[1]).filter(([, us]) => us / summary.total >= 0.005);
  const functions = [...summary.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 10);
  return [
    `## ${title}`,
    '',
    what,
    '',
    `Profiled time per run: ${ms(summary.total)} ms (mean of ${summary.runs} run${summary.runs > 1 ? 's' : ''}).`,
    '',
    '| where | ms per run | share |',
    '| --- | --- | --- |',
    ...categories.map(([name, us]) => `| ${name} | ${ms(us)} | ${pct(us)} |`),
    '',
    'Busiest functions (self time):',
    '',
    ...functions.map(([name, us]) => `- ${ms(us)} ms (${pct(us)}) ${name.replace(/\|/g, '\\|')}`),
    '',
  ].join('\n');
}

/** Runs `node ARGS` `runs` times under the CPU profiler; returns the profile files. */
function profileRuns(name, args, runs, env = process.env) {
  const dir = join(work, name);
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return readdirSync(dir).map((f) => join(dir, f));
}

const sections = [];
const quick = process.argv.includes('--quick');

// Start-up of `kata plan --json`.
sections.push(
  section(
    'Start-up: `kata plan katas/ephemeral-containers.md --json`',
    "The whole process, Node's own start-up included (`node -e 0` is the baseline).",
    summarize(profileRuns('plan', [cli, 'plan', join(root, 'katas', 'ephemeral-containers.md'), '--json'], quick ? 3 : 10)),
  ),
);

// Parsing, in-process, warm: the upstream katas many times over.
const upstream = join(root, '..', 'shared', 'upstream');
if (existsSync(upstream)) {
  const script = join(work, 'parse.mjs');
  writeFileSync(
    script,
    `import { readFileSync, readdirSync } from 'node:fs';
const { parseKata } = await import(${JSON.stringify(join(root, 'dist', 'kata', 'parse.js'))});
const dir = ${JSON.stringify(upstream)};
const texts = readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => [f, readFileSync(dir + '/' + f, 'utf8')]);
for (let i = 0; i < ${quick ? 50 : 300}; i++) for (const [f, t] of texts) parseKata(t, f);
`,
  );
  sections.push(
    section(
      'Parsing: the upstream katas, in-process',
      `Every kata of ../shared/upstream parsed ${quick ? 50 : 300} times (markdown-it's block parse is part of ours; the baseline in RESULTS.md is its full parse).`,
      summarize(profileRuns('parse', [script], 1)),
    ),
  );
}

// Output floods, headless.
for (const [name, file] of floodFiles(work)) {
  const kata = floodKata(work, name, file);
  sections.push(
    section(
      `Output: ${name}, headless (\`kata run --yes\`)`,
      'A one-step kata whose command is `cat FILE`; the baseline is `cat FILE > /dev/null`.',
      summarize(profileRuns(`out-${name.replace(/\W+/g, '-')}`, [cli, 'run', kata, '--yes'], quick ? 1 : 3)),
    ),
  );
}

// Per-step overhead.
sections.push(
  section(
    'Per step: 500 trivial steps (`kata run --yes`)',
    'Each step is `true N` in the host shell; the baseline is bash running the 500 commands from a script.',
    summarize(profileRuns('steps', [cli, 'run', stepsKata(work, 500).kata, '--yes'], quick ? 1 : 3)),
  ),
);

// The whole ephemeral kata on the lab.
if (labIsUp()) {
  const env = labEnv();
  const files = [];
  for (let i = 0; i < (quick ? 1 : 2); i++)
    files.push(
      ...profileRuns(
        `cluster-${i}`,
        [cli, 'run', join(root, 'katas', 'ephemeral-containers.md'), '--yes', '--namespace', `profile-${process.pid}-${i}`],
        1,
        env,
      ),
    );
  sections.push(
    section(
      'The ephemeral-containers kata on the lab (`kata run --yes`)',
      "Most of the run is waiting for the cluster, as in the bash baseline; what is not waiting is the runner's own cost.",
      summarize(files),
    ),
  );
} else console.log('(the lab is not running: the cluster profile is left out; `kata lab up` first)');

rmSync(work, { recursive: true, force: true });
const text = `# Where the time goes

Written by \`npm run bench:profile\`${quick ? ' (--quick)' : ''} on ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.
V8's sampling CPU profiler (0.25 ms interval) on the built \`kata\` command; self time of each sample,
attributed to the module it ran in. The profiler itself slows runs down a little: read the shares,
not the absolute times (bench/RESULTS.md has those).

${sections.join('\n')}`;
writeFileSync(join(root, 'bench', 'PROFILE.md'), text);
console.log(text);
console.log('wrote bench/PROFILE.md');
