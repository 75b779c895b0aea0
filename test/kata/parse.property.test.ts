import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KataError } from '../../src/errors.js';
import { parseKata } from '../../src/kata/parse.js';

/** Pieces real katas are made of, plus the broken ones authors write by accident. */
const fragment = fc.oneof(
  fc.constantFrom(
    '# Title',
    '## Cleanup',
    '### Clean up',
    'Some prose with `code` and *emphasis*.',
    'You should see the *Welcome to nginx!* page.',
    'In another terminal:',
    'From the tooling container, run:',
    '> quoted',
    '- item',
    '1. item',
    '<details>',
    '</details>',
    '```console',
    '```',
    '````',
    '~~~',
    '```yaml',
    '```json',
    '```bash',
    '    indented code',
    'kubectl exec -it <multitool POD> -- bash',
    'kubectl debug -it <nginx POD> --image praqma/network-multitool -- bash',
    'curl nginx',
    "tcpdump -i eth0 -vv -XX 'tcp port 80'",
    'for i in 1 2; do',
    'done',
    'cat <<EOF',
    'EOF',
    'echo "open',
    'echo \\',
    'NAME   READY   STATUS',
    '{',
    'exit',
    '$ kubectl get po',
    'if true; then',
    '$(',
    "'",
    '<!-- kata: skip -->',
    '<!-- kata: id a -->',
    '<!-- kata: id a; in tooling -->',
    '<!-- kata: background while a -->',
    '<!-- kata: expect contains "x" -->',
    '<!-- kata: expct -->',
    '<!-- kata: as host -->',
    '<!-- kata:',
    '-->',
    '<!-- kata: background for 1s -->',
    '[//]: # (comment)',
    '![img](images/x.png)',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const markdown = fc.array(fragment, { maxLength: 60 }).map((lines) => lines.join('\n'));

describe('parseKata on arbitrary Markdown', () => {
  it('returns a kata or throws a KataError with a line, never anything else', () => {
    fc.assert(
      fc.property(markdown, (text) => {
        try {
          const kata = parseKata(text, 'random.md');
          for (const step of kata.steps) {
            expect(step.line).toBeGreaterThanOrEqual(1);
            expect(step.id).not.toBe('');
            if (step.background) expect(step.bound).toBeDefined();
          }
        } catch (error) {
          if (!(error instanceof KataError)) throw error;
          expect(error.file).toBe('random.md');
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.format()).not.toContain('\n    at ');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('plans every well-formed, unannotated kata without error, one or more steps per block', () => {
    const prose = fc.array(
      fc.constantFrom(
        'Run this:',
        'In another terminal:',
        'From the tooling container:',
        'You should see *ok*.',
        'Output looks like this:',
        '## Cleanup',
        '# Part',
        'text',
      ),
      { maxLength: 3 },
    );
    const line = fc.oneof(
      fc.constantFrom(
        'kubectl get po',
        'kubectl exec -it <multitool POD> -- bash',
        'kubectl debug -it <nginx POD> --image x -- sh',
        'curl nginx',
        'tcpdump -i lo',
        'exit',
        'ip link',
        'kubectl logs -f x',
        'NAME   READY',
        'for i in 1; do echo $i; done',
        '# comment',
      ),
      fc.string({ maxLength: 30 }).map((t) => t.replace(/`/g, "'")),
    );
    const block = fc.record({
      prose,
      lang: fc.constantFrom('console', 'bash', '', 'yaml', 'text'),
      lines: fc.array(line, { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 12 }), (blocks) => {
        const text = blocks.map((b) => `${b.prose.join('\n\n')}\n\n\`\`\`\`${b.lang}\n${b.lines.join('\n')}\n\`\`\`\`\n`).join('\n');
        const kata = parseKata(text, 'wellformed.md');
        expect(kata.steps.length).toBeGreaterThanOrEqual(blocks.length);
        for (const step of kata.steps) if (step.context !== 'host') expect(kata.contexts.map((c) => c.name)).toContain(step.context);
      }),
      { numRuns: 1500 },
    );
  });

  it('handles large, pathological inputs in linear time', () => {
    const nested = '> '.repeat(5000) + 'x';
    const quotes = '```console\n' + 'echo "'.repeat(20_000) + '\n```\n';
    const continuations = '```console\n' + 'echo \\\n'.repeat(50_000) + 'x\n```\n';
    const placeholders = '```console\n' + 'kubectl exec -it <' + 'a'.repeat(100_000) + '\n```\n';
    for (const text of [quotes, continuations, placeholders]) {
      expect(() => parseKata(text, 'big.md')).not.toThrow();
    }
    // Deeper than markdown-it reads: refused at the line, never read with its rest dropped.
    expect(() => parseKata(nested, 'big.md')).toThrow(KataError);
  });
});
