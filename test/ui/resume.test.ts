import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearProgress, loadProgress, planResume, progressFile, saveProgress, stateDir } from '../../src/run/resume.js';
import type { Step } from '../../src/kata/model.js';
import type { EngineEvent } from '../../src/run/events.js';
import { ProgressKeeper } from '../../src/ui/progress-keeper.js';
import type { UiGate } from '../../src/ui/ui-gate.js';
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

describe('two interactive runs of one kata at once', () => {
  const gate = { decisions: new Map() } as unknown as UiGate;
  const passed = (step: Step): EngineEvent => ({
    type: 'step-ended',
    step,
    status: 'passed',
    durationMs: 1,
    attempts: 1,
    excerpt: { head: [], tail: [], omitted: 0 },
  });
  const ended: EngineEvent = { type: 'run-ended', status: 'passed', exitCode: 0, durationMs: 1 };

  it('keep the progress of the first: the second neither overwrites nor clears it', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-state-')) };
    const k = kata(KATA, join(tmpdir(), 'resume-kata-both.md'));
    const [one, two, three] = k.steps as [Step, Step, Step];
    const first = new ProgressKeeper(k, gate, env);
    const second = new ProgressKeeper(k, gate, env);
    first.on(passed(one));
    first.on(passed(two));
    second.on(passed(one));
    expect(Object.keys(loadProgress(k.file, env)?.finished ?? {})).toEqual(['one', 'two']);
    for (const step of [two, three]) second.on(passed(step));
    second.on(ended); // the second run finished the kata: the first's progress is still there
    expect(Object.keys(loadProgress(k.file, env)?.finished ?? {})).toEqual(['one', 'two']);

    first.on(ended); // unfinished: its progress stays, and a later run may keep progress again
    const later = new ProgressKeeper(k, gate, env);
    later.on(passed(one));
    expect(Object.keys(loadProgress(k.file, env)?.finished ?? {})).toEqual(['one']);
  });

  it('take over the progress of a run that ended without letting go of it (a crash, a closed terminal)', () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-state-')) };
    const k = kata(KATA, join(tmpdir(), 'resume-kata-crashed.md'));
    const gone = spawnSync('true').pid; // a process that has ended
    saveProgress(k, { one: { status: 'passed' } }, env);
    writeFileSync(`${progressFile(k.file, env)}.lock`, `${gone} crashed-run\n`);
    const keeper = new ProgressKeeper(k, gate, env);
    keeper.on(passed(k.steps[1] as Step));
    expect(Object.keys(loadProgress(k.file, env)?.finished ?? {})).toEqual(['two']);
  });
});
