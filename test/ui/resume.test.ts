import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearProgress, loadProgress, planResume, progressFile, saveProgress, stateDir } from '../../src/run/resume.js';
import { kata } from '../helpers/kata.js';

const KATA = `
  # Resume
  <!-- kata: id one -->
  \`\`\`console
  echo one
  \`\`\`
  <!-- kata: id two -->
  \`\`\`console
  echo two
  \`\`\`
  <!-- kata: id three -->
  \`\`\`console
  echo three
  \`\`\`
`;

describe('resume state', () => {
  it('lives in $XDG_STATE_HOME/kata-runner, else ~/.local/state/kata-runner', () => {
    expect(stateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/kata-runner');
    expect(stateDir({ HOME: '/home/me' })).toMatch(/\.local\/state\/kata-runner$/);
  });

  it('saves, loads and forgets the finished steps of a kata', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-state-')) };
    const k = kata(KATA, join(tmpdir(), 'resume-kata.md'));
    saveProgress(k, { one: { status: 'passed', values: { 'nginx POD': 'nginx-1' } } }, env);
    expect(JSON.parse(readFileSync(progressFile(k.file, env), 'utf8')).steps).toHaveLength(3);
    expect(loadProgress(k.file, env)?.finished).toEqual({ one: { status: 'passed', values: { 'nginx POD': 'nginx-1' } } });
    clearProgress(k.file, env);
    expect(loadProgress(k.file, env)).toBeUndefined();
  });

  it('continues at the first unfinished step: passed steps are replayed, skipped ones skipped again', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-state-')) };
    const k = kata(KATA, join(tmpdir(), 'resume-kata-2.md'));
    saveProgress(k, { one: { status: 'passed' }, two: { status: 'skipped' } }, env);
    const plan = planResume(k, loadProgress(k.file, env)!);
    expect(plan.at?.id).toBe('three');
    expect([...plan.replay.keys()]).toEqual(['one']);
    expect([...plan.skip]).toEqual(['two']);
    expect(plan.changed).toEqual([]);
  });

  it('says which steps changed, were added or removed since', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-state-')) };
    const file = join(tmpdir(), 'resume-kata-3.md');
    saveProgress(kata(KATA, file), { one: { status: 'passed' } }, env);
    const edited = kata(
      KATA.replace('echo two', 'echo TWO').replace(
        /<!-- kata: id three -->[\s\S]*$/,
        '<!-- kata: id four -->\n  ```console\n  echo four\n  ```\n',
      ),
      file,
    );
    const plan = planResume(edited, loadProgress(file, env)!);
    expect(plan.changed).toEqual([
      expect.stringMatching(/^two \(line \d+\) changed$/),
      expect.stringMatching(/^four \(line \d+\) is new$/),
      expect.stringMatching(/^three \(was line \d+\) was removed$/),
    ]);
    expect(plan.at?.id).toBe('two');
  });
});
