/**
 * Inputs that once crashed, hung or misled `kata plan` and `kata lint` (issue 11, items 15 and
 * 16). Each test has a bound hundreds of times what the input takes now, so it cannot flake; the
 * quadratic code they guard against took from 20 s to minutes on them. How the time grows with
 * the size is measured in bench/ (`node bench/run.mjs --only=shapes`), not here.
 */
import { describe, expect, it } from 'vitest';
import { lintKata } from '../../src/kata/lint.js';
import { parseKata } from '../../src/kata/parse.js';
import { planText } from '../../src/report/plan-text.js';
import { kataError } from '../helpers/kata.js';

const BOUND = { timeout: 15_000 };
const fence = (body: string): string => `# T\n\n\`\`\`console\n${body}\n\`\`\`\n`;
const lint = (text: string): string[] =>
  lintKata(parseKata(text, 'big.md'), () => true).map((d) => `${d.line} ${d.severity}: ${d.message}`);

describe('kata plan on pathological inputs', () => {
  it('renders the text plan of 130,000 steps (no spread of every step into Math.max)', BOUND, () => {
    const kata = parseKata(`# Many\n\n${'```console\ntrue\n```\n\n'.repeat(130_000)}`, 'many.md');
    expect(kata.steps).toHaveLength(130_000);
    const text = planText(kata);
    expect(text).toContain('many.md · 130000 steps (130000 run, 0 shown only)');
    expect(text).toContain('s130000');
  });

  it('renders a step of 200,000 commands', BOUND, () => {
    const text = planText(parseKata(fence('$ echo x\n'.repeat(200_000)), 'prompts.md'));
    expect(text.split('\n').filter((l) => l.endsWith('$ echo x'))).toHaveLength(200_000);
  });

  it('keeps a 200 KB run of spaces inside a command, in linear time', BOUND, () => {
    const spaces = ' '.repeat(200_000);
    const kata = parseKata(fence(`echo a${spaces}b \\\n${spaces}c`), 'spaces.md');
    expect(kata.steps[0]?.commands.map((c) => c.text)).toEqual([`echo a${spaces}b c`]);
  });

  it('reads 200,000 `$ ` prompts as one step of 200,000 commands, in linear time', BOUND, () => {
    const kata = parseKata(fence('$ x\n'.repeat(200_000)), 'prompts.md');
    expect(kata.steps).toHaveLength(1);
    expect(kata.steps[0]?.commands).toHaveLength(200_000);
  });

  it('decides a block of 200,000 blank lines has no prompts in linear time', BOUND, () => {
    const kata = parseKata(fence(`ls\n${' \n'.repeat(200_000)}`), 'blank.md');
    expect(kata.steps.map((s) => s.commands.map((c) => c.text))).toEqual([['ls']]);
  });

  it('reads 16,000 annotations on one line in linear time, and quotes only the start of a bad value', BOUND, () => {
    const line = Array<string>(16_000).fill('<!-- kata: skip -->').join(' ');
    const error = kataError(() => parseKata(`# T\n\n${line}\n\n\`\`\`console\nls\n\`\`\`\n`, 'notes.md'));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^`skip` takes no value, got "--> <!-- kata: skip -->.*\.\.\."$/);
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('kata lint on pathological inputs', () => {
  it('checks 40,000 pod placeholders against the commands before them in linear time', BOUND, () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `kubectl create deploy a${i} --image x\nkubectl exec -it <a${i} POD> -- ls`);
    const found = lint(`${fence(lines.join('\n'))}\n# Cleanup\n\n\`\`\`console\nkubectl delete deploy --all\n\`\`\`\n`);
    expect(found).toEqual([]);
    expect(lint(fence('kubectl exec -it <a1 POD> -- ls\nkubectl create deploy a1 --image x'))).toContainEqual(
      expect.stringMatching(/^4 error: <a1 POD> stands for a pod of app a1, but no earlier step creates one/),
    );
  });

  it('lints a line of 30,000 repeated `create` before a placeholder in linear time', BOUND, () => {
    const found = lint(fence(`kubectl ${'create '.repeat(30_000)}\nkubectl exec -it <web POD> -- ls`));
    expect(found).toContainEqual(expect.stringMatching(/^5 error: <web POD> stands for a pod of app web/));
    // Objects from a manifest may include the app: no error after `kubectl apply -f`.
    expect(lint(fence('kubectl apply -f web.yaml\nkubectl exec -it <web POD> -- ls'))).not.toContainEqual(
      expect.stringContaining('<web POD>'),
    );
  });

  it('reads a line of 50,000 unfinished links `[a](` in linear time', BOUND, () => {
    expect(lint(`# T\n\n${'[a]('.repeat(50_000)}\n\n\`\`\`console\nls\n\`\`\`\n`)).not.toContainEqual(expect.stringContaining('link'));
    expect(lint('# T\n\nSee [the notes](notes.md).\n\n```console\nls\n```\n')).toEqual([
      '1 warning: the kata has no Cleanup section; add a `# Cleanup` heading with the commands that undo it',
    ]);
  });
});

describe('the structure of a kata is never silently lost', () => {
  const nestedList = (depth: number): string =>
    `# T\n\n${Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- item`).join('\n')}\n\n` +
    '```console\nkubectl create deploy web --image nginx\n```\n\n# Cleanup\n\n```console\nkubectl delete deploy web\n```\n';

  it('refuses lists nested 50 deep, naming the line, rather than drop the blocks after them', () => {
    const error = kataError(() => parseKata(nestedList(50), 'deep.md'));
    expect(error.line).toBe(52);
    expect(error.message).toContain('nested too deep');
    expect(error.hint).toContain('the cleanup');
  });

  it('keeps every block, cleanup included, after lists nested 49 deep', () => {
    const kata = parseKata(nestedList(49), 'deep.md');
    expect(kata.steps.map((s) => `${s.phase} ${s.commands[0]?.text ?? ''}`)).toEqual([
      'main kubectl create deploy web --image nginx',
      'cleanup kubectl delete deploy web',
    ]);
  });

  it('refuses quotes nested 100 deep, and reads 99', () => {
    expect(kataError(() => parseKata(`${'> '.repeat(100)}x\n\n\`\`\`console\nls\n\`\`\`\n`, 'q.md')).line).toBe(1);
    expect(parseKata(`${'> '.repeat(99)}x\n\n\`\`\`console\nls\n\`\`\`\n`, 'q.md').steps).toHaveLength(1);
  });

  it('counts a lone CR as a line break, as markdown-it does: no false "never closed", lines right', () => {
    const kata = parseKata('# T\r\rtext\r```console\recho a\r```\r\rmore\r\r```console\rls\r```\r', 'cr.md');
    expect(kata.steps.map((s) => `${s.line} ${s.commands[0]?.text ?? ''}`)).toEqual(['5 echo a', '11 ls']);
    const error = kataError(() => parseKata('# T\r\r```console\rls\r```\r\r````console\rls\r', 'cr.md'));
    expect(error.message).toContain('never closed');
    expect(error.line).toBe(7);
  });

  it('never makes the title the cleanup phase, even "Clean up old images"', () => {
    const kata = parseKata(
      '# Clean up old images\n\n```console\ndocker image prune -f\n```\n\n## Cleanup\n\n```console\nrm -f x\n```\n',
      'images.md',
    );
    expect(kata.title).toBe('Clean up old images');
    expect(kata.steps.map((s) => s.phase)).toEqual(['main', 'cleanup']);
    expect(kata.sections.map((s) => s.cleanup)).toEqual([false, true]);
  });

  it('still reads a `# Cleanup` after the first block, in a kata without a title, as the cleanup phase', () => {
    const kata = parseKata('```console\nkubectl create ns x\n```\n\n# Cleanup\n\n```console\nkubectl delete ns x\n```\n', 'untitled.md');
    expect(kata.steps.map((s) => s.phase)).toEqual(['main', 'cleanup']);
  });
});
