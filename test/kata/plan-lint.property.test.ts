/**
 * Random katas (fences, annotations, placeholders, CRs, nesting, long repeats) through plan and
 * lint: no crash, no hang, and from the built CLI exit codes 0, 1 or 2 only. `npm test` runs a
 * few hundred cases; `.ci/run` runs the nightly size with KATA_PROPERTY_RUNS=5000.
 */
import { execa } from 'execa';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KataError } from '../../src/errors.js';
import { lintKata } from '../../src/kata/lint.js';
import { parseKata } from '../../src/kata/parse.js';
import { planJson } from '../../src/report/plan-json.js';
import { planText } from '../../src/report/plan-text.js';
import { CLI } from '../helpers/cli.js';

const RUNS = Number(process.env.KATA_PROPERTY_RUNS ?? 300);
/** The CLI costs a process per command: one case in 50 goes through it. */
const CLI_RUNS = Math.max(5, Math.round(RUNS / 50));
/**
 * Most a case may take in-process. A case takes milliseconds; the quadratic code this guards
 * against took seconds to minutes. Generous, so a loaded CI machine never fails it.
 */
const CASE_BOUND_MS = 3000;

const line = fc.oneof(
  fc.constantFrom(
    '# Title',
    '# Clean up old images',
    '## Cleanup',
    '### Clean up',
    'Some prose with `code`, *emphasis* and [a link](notes.md).',
    'You should see *Welcome to nginx!*:',
    'In another terminal:',
    'From the tooling container, run:',
    'Execute `kubectl get pods` and look.',
    '<details>',
    '</details>',
    '```console',
    '```',
    '````',
    '~~~',
    '```yaml',
    '    indented code',
    '$ kubectl get po',
    '$ ',
    'kubectl create deploy nginx --image nginx',
    'kubectl apply -f web.yaml',
    'kubectl exec -it <multitool POD> -- bash',
    'kubectl debug -it <nginx POD> --image praqma/network-multitool -- bash',
    'kubectl logs <POD on node-1>',
    'curl nginx',
    "tcpdump -i eth0 -vv -XX 'tcp port 80'",
    'for i in 1 2; do',
    'done',
    'cat <<EOF',
    'EOF',
    'echo "open',
    'echo \\',
    'exit',
    'NAME   READY   STATUS',
    '<!-- kata: skip -->',
    '<!-- kata: id a -->',
    '<!-- kata: id a; in tooling -->',
    '<!-- kata: background while a -->',
    '<!-- kata: background for 1s -->',
    '<!-- kata: expect contains "Welcome" -->',
    '<!-- kata: expect matches /W(el)+come/ -->',
    '<!-- kata: expect matches /(?=x)/ -->',
    '<!-- kata: expect exit 0 -->',
    '<!-- kata: timeout 10s; retry 5s -->',
    '<!-- kata: expct -->',
    '<!-- kata id a -->',
    '<!-- kata:',
    '-->',
    '[//]: # (comment)',
    '',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** A line inside lists and quotes: `depth` levels of `- `, `1. ` or `> ` (markdown-it reads 100 levels). */
const nested = fc
  .record({ marks: fc.array(fc.constantFrom('- ', '1. ', '> ', '  '), { maxLength: 60 }), text: line })
  .map(({ marks, text }) => marks.join('') + text);

/** A piece repeated many times on one line or as lines: the shapes that once made parsing quadratic. */
const repeated = fc
  .record({
    piece: fc.constantFrom(' ', '$ ', 'create ', '<a ', '[a](', '<!-- kata: skip --> ', '"', '\\', '$(', '| ', 'x'),
    // Up to 20,000: where the quadratic code took seconds (20,000 `[a](` in lint ~6 s, before).
    times: fc.integer({ min: 1, max: 20_000 }),
    alone: fc.boolean(),
  })
  .map(({ piece, times, alone }) => (alone ? `${piece}\n`.repeat(times) : piece.repeat(times)));

const kataText = fc
  .record({
    lines: fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 2, arbitrary: nested }, { weight: 1, arbitrary: repeated }), {
      maxLength: 50,
    }),
    ending: fc.constantFrom('\n', '\r\n', '\r', '\n', '\n'),
    strayCr: fc.boolean(),
  })
  .map(({ lines, ending, strayCr }) => {
    const text = lines.join(ending);
    return strayCr ? text.replace(/\n(?=```)/, '\r') : text;
  });

/** Plans (text and JSON) and lints one kata in-process; any problem must be a KataError at a line. */
function planAndLint(text: string): void {
  const started = performance.now();
  try {
    const kata = parseKata(text, 'random.md');
    planText(kata);
    JSON.stringify(planJson(kata));
    for (const d of lintKata(kata, () => true)) expect(d.line).toBeGreaterThanOrEqual(1);
  } catch (error) {
    if (!(error instanceof KataError)) throw error;
    expect(error.file).toBe('random.md');
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.format()).not.toContain('\n    at ');
  }
  const ms = performance.now() - started;
  if (ms > CASE_BOUND_MS) throw new Error(`planning and linting took ${ms.toFixed(0)} ms (bound ${CASE_BOUND_MS} ms)`);
}

/** A part and its cleanup, appended to a random kata (a `# Cleanup` after a block is always the cleanup phase). */
const CLEANUP =
  '\n\n## Part\n\n```console\nkubectl create deploy web --image nginx\n```\n\n# Cleanup\n\n```console\nkubectl delete deploy web\n```\n';

describe('random katas through plan and lint', () => {
  it(`plan and lint in-process without a crash or a hang (${RUNS} cases)`, { timeout: 60_000 + RUNS * 100 }, () => {
    // No shrinking: a case over the bound is reported as it is, instead of after many more slow ones.
    fc.assert(fc.property(kataText, planAndLint), { numRuns: RUNS, endOnFailure: true });
  });

  it(
    `never lose the blocks after what they cannot read: a cleanup at the end is planned, or an error says why (${RUNS} cases)`,
    {
      timeout: 60_000 + RUNS * 100,
    },
    () => {
      fc.assert(
        fc.property(kataText, (text) => {
          let last;
          try {
            last = parseKata(text + CLEANUP, 'random.md').steps.at(-1);
          } catch (error) {
            if (error instanceof KataError) return;
            throw error;
          }
          expect(last?.phase).toBe('cleanup');
          expect(last?.commands.map((c) => c.text)).toEqual(['kubectl delete deploy web']);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it(
    `exit 0, 1 or 2 from the built CLI, with one paragraph and no stack trace (${CLI_RUNS} cases)`,
    { timeout: 60_000 + CLI_RUNS * 20_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kata-property-'));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(kataText, async (text) => {
          const file = join(dir, `case-${n++}.md`);
          writeFileSync(file, text);
          for (const args of [
            ['plan', file],
            ['plan', file, '--json'],
            ['lint', file],
          ]) {
            const result = await execa(process.execPath, [CLI, ...args], { reject: false, timeout: 20_000, env: { NO_COLOR: '1' } });
            expect(result.timedOut, `kata ${args.join(' ')} hung`).toBe(false);
            expect([0, 1, 2], `kata ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`).toContain(result.exitCode);
            expect(result.stderr).not.toContain('internal error');
            expect(result.stderr).not.toMatch(/\n\s+at /);
          }
        }),
        { numRuns: CLI_RUNS },
      );
    },
  );
});
