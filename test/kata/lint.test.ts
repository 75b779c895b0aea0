import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintFiles, lintKata } from '../../src/kata/lint.js';
import { dedent, kata } from '../helpers/kata.js';

const fence = '```';
const messages = (markdown: string, exists: (p: string) => boolean = () => true) =>
  lintKata(kata(markdown), exists).map((d) => `${d.line} ${d.severity}: ${d.message}`);

describe('lintKata', () => {
  it('reports a pod placeholder no step can resolve, and free-form placeholders', () => {
    const found = messages(`
      ${fence}console
      kubectl logs <nginx POD>
      kubectl exec -it <POD on node-1> -- ls
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete ns x
      ${fence}
    `);
    expect(found).toEqual([
      expect.stringMatching(/^2 error: <nginx POD> stands for a pod of app nginx, but no earlier step creates one/),
      expect.stringMatching(/^3 warning: the runner cannot look up <POD on node-1>; .*--set "POD on node-1=VALUE"/),
    ]);
  });

  it('accepts a pod placeholder after the deployment that creates it, or after an apply', () => {
    expect(
      messages(`
        ${fence}console
        kubectl create deploy nginx --image nginx
        kubectl logs <nginx POD>
        ${fence}
        # Cleanup
        ${fence}console
        kubectl delete deploy nginx
        ${fence}
      `),
    ).toEqual([]);
  });

  it('reports files missing next to the kata, but not files an earlier command writes', () => {
    const seen: string[] = [];
    const found = lintKata(
      kata(
        `
        ${fence}console
        kubectl apply -f deploy/app.yaml
        openssl req -out certs/ca.crt -keyout certs/ca.key
        cat certs/ca.crt
        ./scripts/loop-query.sh
        kubectl create deploy x --image praqma/network-multitool
        ${fence}
        # Cleanup
        ${fence}console
        kubectl delete -f deploy/
        ${fence}
      `,
        'katas/k.md',
      ),
      (p) => {
        seen.push(p);
        return !p.endsWith('loop-query.sh');
      },
    );
    expect(found.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      expect.stringContaining('`./scripts/loop-query.sh` does not exist next to the kata'),
    ]);
    expect(seen.some((p) => p.endsWith('katas/deploy/app.yaml'))).toBe(true);
    expect(seen.some((p) => p.includes('network-multitool'))).toBe(false);
    expect(seen.some((p) => p.includes('certs/ca.crt'))).toBe(false);
  });

  it('warns about unbounded background commands, prose-only commands and missing images', () => {
    const found = messages(
      `
      Execute \`kubectl get pods\` and look.

      ![figure](images/fig.png)

      ${fence}console
      tcpdump -i eth0
      ${fence}
      # Cleanup
      ${fence}console
      echo done
      ${fence}
    `,
      (p) => !p.endsWith('fig.png'),
    );
    expect(found).toEqual([
      expect.stringMatching(/^1 warning: `kubectl get pods` is only mentioned in the prose/),
      expect.stringMatching(/^3 warning: the image `images\/fig.png` does not exist/),
      expect.stringMatching(/^6 warning: `tcpdump -i eth0` runs until stopped; .* a guess/),
    ]);
  });

  it('makes a missing cleanup an error when the kata creates cluster objects', () => {
    expect(messages(`${fence}console\nkubectl create ns x\n${fence}\n`)).toEqual([
      expect.stringMatching(/^2 error: this step creates cluster objects but the kata has no Cleanup section/),
    ]);
    expect(messages(`${fence}console\necho hi\n${fence}\n`)).toEqual([
      expect.stringMatching(/^1 warning: the kata has no Cleanup section/),
    ]);
  });

  it('warns when a shell is opened twice', () => {
    const found = messages(`
      ${fence}console
      kubectl exec -it web -- sh
      ${fence}
      ${fence}console
      kubectl exec -it web -- sh
      ${fence}
      # Cleanup
      ${fence}console
      echo
      ${fence}
    `);
    expect(found).toEqual([expect.stringMatching(/^5 warning: this opens the shell "web" again \(first opened at line 2\)/)]);
  });
});

describe('lintFiles', () => {
  it('counts errors, reports unreadable katas as errors and clean ones as ok', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-lint-'));
    mkdirSync(join(dir, 'deploy'));
    writeFileSync(join(dir, 'deploy', 'x.yaml'), 'kind: Namespace\n');
    writeFileSync(
      join(dir, 'good.md'),
      dedent(`
      ${fence}console
      kubectl apply -f deploy/x.yaml
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete -f deploy/x.yaml
      ${fence}
    `),
    );
    writeFileSync(join(dir, 'bad.md'), `<!-- kata: expct exit 0 -->\n${fence}console\nls\n${fence}\n`);
    const { text, errors } = lintFiles([join(dir, 'good.md'), join(dir, 'bad.md')]);
    expect(errors).toBe(1);
    expect(text).toContain(`${join(dir, 'good.md')}: ok`);
    expect(text).toContain(`${join(dir, 'bad.md')}:1: error: unknown annotation clause "expct exit 0". Did you mean \`expect\`?`);
  });
});
