/**
 * What each key does, judged against the view's latest snapshot (not a render's): a key that
 * arrives before React has re-subscribed the App's handler must still see the screen as it is.
 */
import type { Key } from 'ink';
import type { Actions } from './components/App.js';
import { NO_EDITS, runDecision, type Edits } from './edits.js';
import { editorKey } from './editor-keys.js';
import type { RunSnapshot, RunView } from './run-view.js';

/** The learner's edits of the step asked about. */
export function editsOf(run: RunSnapshot): Edits {
  return run.edits !== undefined && run.edits.stepId === run.question?.step.id ? run.edits.edits : NO_EDITS;
}

/** Applies one key. */
export function onKey(view: RunView, actions: Actions, input: string, key: Key): void {
  const run = view.getSnapshot();
  const question = run.question;
  const ctrlC = key.ctrl && input === 'c';
  if (run.panel?.kind === 'edit') {
    if (question?.kind !== 'before-step') return view.setPanel(undefined);
    const outcome = editorKey(run.panel, input, key, { step: question.step, asked: question.commands, values: question.values });
    if (outcome.kind === 'edit') return view.setPanel({ kind: 'edit', ...outcome.state });
    if (outcome.kind === 'done') view.setEdits(question.step.id, outcome.edits);
    return view.setPanel(undefined);
  }
  if (run.panel?.kind === 'help') return view.setPanel(undefined);
  if (run.quitAsked) {
    if (ctrlC || key.return || input === 'y' || input === 'q') {
      view.setQuitAsked(false);
      if (run.phase === 'offer') view.answerOffer('quit');
      else if (question !== undefined) view.answer('quit');
      else actions.interrupt();
      return;
    }
    if (key.escape || input === 'n') view.setQuitAsked(false);
    return;
  }
  if (run.phase === 'offer') {
    if (key.return || input === 'y') return view.answerOffer('continue');
    if (input === 'n') return view.answerOffer('restart');
    if (ctrlC || input === 'q') return view.answerOffer('quit');
    return;
  }
  if (run.phase === 'ended') return;
  if (ctrlC || input === 'q') return view.setQuitAsked(true);
  if (input === '?') return view.setPanel({ kind: 'help' });
  if (input === 'o') {
    const current = run.steps.find((s) => s.step.id === run.currentId) ?? run.cleanup.find((s) => s.step.id === run.currentId);
    const step = [current, ...[...run.steps].reverse()].find((s) => s !== undefined && s.lineCount > 0);
    if (step === undefined) return view.setNotice('No step has printed anything yet.');
    return actions.openOutput(step.step);
  }
  if (run.phase === 'cleanup') return view.setNotice('The cleanup is running: q stops it (what the kata created may then stay).');
  if (input === 'i') {
    if (question === undefined) return view.setNotice('A step is running: the shell opens between steps (wait, or q to stop it).');
    return actions.openShell(question.step);
  }
  if (input === 'a') {
    view.setAuto(!run.auto);
    if (!run.auto && question?.kind === 'before-step') view.answer(runDecision(question.step, question.commands, question.values, editsOf(run)));
    return;
  }
  if (question?.kind === 'before-step') {
    if (key.return) return view.answer(runDecision(question.step, question.commands, question.values, editsOf(run)));
    if (input === 's') return view.answer({ action: 'skip' });
    if (input === 'e') return view.setPanel({ kind: 'edit', draft: editsOf(run), selected: 0 });
    if (input === 'r') return view.setNotice('This step has not run yet: Enter runs it.');
    return;
  }
  if (question?.kind === 'after-failure') {
    if (input === 'r') return view.answer('retry');
    if (input === 'c' || input === 's') return view.answer('continue');
    if (key.return) return view.setNotice('The step failed: r runs it again, c goes on without it.');
    if (input === 'e') return view.setNotice('A failed step runs again as it is (r); edits are for steps that have not run yet.');
    return;
  }
  if (key.return || input === 's' || input === 'e') view.setNotice('A step is running: wait for it, or q to stop it.');
}
