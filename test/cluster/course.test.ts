/**
 * The whole course on the mesh lab (KATA_CLUSTER_SUITE=mesh), as a maintainer's CI runs it:
 * `kata test katas/ ../shared/upstream/` passes our katas and the upstream seed, skips the
 * upstream katas that apply files not next to them (with that reason), and writes one JUnit file
 * that validates against the XSD fixture; `kata test --prove katas/` finds no check of ours that
 * proves nothing, the API check among them shown failing before the step that makes it true.
 * Needs ../shared/upstream (test input outside the repository): skipped without it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli, ROOT } from '../helpers/cli.js';
import { xmllintErrors, xmllintMissing } from '../helpers/xml.js';

const suite = process.env.KATA_CLUSTER_SUITE === 'mesh';
const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (suite && kubeconfig === undefined)
  throw new Error('the mesh suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up --mesh`, then its kubeconfig)');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig ?? '' };
const UPSTREAM = '../shared/upstream/';
const absent = existsSync(join(ROOT, UPSTREAM)) ? undefined : `${join(ROOT, UPSTREAM)} is not there (the upstream katas, test input)`;
const XSD = join(ROOT, 'test/fixtures/junit/junit.xsd');

interface Json {
  exitCode: number;
  totals: Record<string, number>;
  katas: {
    file: string;
    status: string;
    reason?: string;
    proofs?: { step: string; line: number; check: string; verdict: string; how: string }[];
  }[];
}

describe.skipIf(!suite || absent !== undefined)(
  `the whole course on the mesh lab${absent === undefined ? '' : ` (skipped: ${absent})`}`,
  () => {
    it('passes our katas and the seed, skips the upstream katas whose files are not next to them; the JUnit validates', async () => {
      const out = mkdtempSync(join(tmpdir(), 'kata-course-'));
      const result = await kataCli(
        ['test', 'katas/', UPSTREAM, '--jobs', '2', '--report', `junit=${out}/course.xml`, '--report', `json=${out}/course.json`],
        {
          env,
        },
      );
      // The table, for whoever reads the log.
      console.log(result.stdout.slice(result.stdout.lastIndexOf('KATA ')));
      expect(result.exitCode, result.all).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'course.json'), 'utf8')) as Json;
      const status = Object.fromEntries(json.katas.map((k) => [k.file, k.status]));
      expect(status).toMatchObject({
        'katas/ephemeral-containers.md': 'passed',
        'katas/first-steps.md': 'passed',
        [`${UPSTREAM}debugging-with-ephemeral-containers.md`]: 'passed',
      });
      const skipped = json.katas.filter((k) => k.status === 'skipped');
      expect(skipped.map((k) => k.file.replace(UPSTREAM, '')).sort()).toEqual([
        'eficode-00-setup-introduction.md',
        'locality-aware-load-balancing.md',
        'mutual-tls.md',
        'when-not-to-use-tls.md',
      ]);
      for (const k of skipped) expect(k.reason).toMatch(/^applies \S+ \(line \d+\), which is not next to the kata$/);
      const junit = readFileSync(join(out, 'course.xml'), 'utf8');
      if (xmllintMissing === undefined) expect(xmllintErrors(junit, XSD)).toBe('');
      else console.warn(`${xmllintMissing}: the JUnit file was not validated`);
    });

    it('proves every check of our katas able to fail (--prove), the API check before the step that makes it true', async () => {
      const out = mkdtempSync(join(tmpdir(), 'kata-course-prove-'));
      const result = await kataCli(['test', '--prove', 'katas/', '--report', `json=${out}/prove.json`], { env });
      console.log(
        result.stdout
          .split('\n')
          .filter((l) => l.startsWith('prove: '))
          .join('\n'),
      );
      expect(result.exitCode, result.all).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'prove.json'), 'utf8')) as Json;
      const proofs = json.katas.flatMap((k) => (k.proofs ?? []).map((p) => ({ ...p, file: k.file })));
      expect(proofs.filter((p) => p.verdict !== 'proven')).toEqual([]);
      const api = proofs.find((p) => p.step === 'inspect-pod' && p.check.includes('has an ephemeral container'));
      expect(api?.how).toMatch(/^failed when evaluated before step \S+ \(line \d+\): /);
      // Every check of the mesh kata was judged (captures included), not only some.
      expect(proofs.filter((p) => p.file === 'katas/ephemeral-containers.md').length).toBeGreaterThanOrEqual(10);
    });
  },
);
