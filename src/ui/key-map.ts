/**
 * Every key of the terminal UI in one table: what it is called, what the footer calls it in each
 * situation, what the help screen (and the README's table) says of it, and what it does. The key
 * handler, the footer and the help screen are derived from this table, so they cannot disagree.
 * Keys are judged against the view's latest snapshot (not a render's): a key that arrives before
 * React has re-subscribed the App's handler must still see the screen as it is.
 */
import type { Key } from 'ink';
import type { Actions } from './actions.js';
import { editorKey } from './editor-keys.js';
import { NO_EDITS, runDecision, type Edits } from './edits.js';
import type { RunSnapshot, RunView } from './run-view.js';

/** Where the screen is, as far as keys are concerned. */
export type Situation = 'editing' | 'help' | 'confirm-quit' | 'offer' | 'ended' | 'cleanup' | 'before-step' | 'after-failure' | 'running';

/** What a key's action is given. */
export interface KeyContext {
  readonly view: RunView;
  readonly actions: Actions;
  /** The snapshot the key was judged against. */
  readonly run: RunSnapshot;
  readonly input: string;
  readonly key: Key;
}

/** What one key does in one situation, and its footer label there (none: it works, unlisted). */
interface Use {
  readonly label?: string | ((run: RunSnapshot) => string);
  readonly do: (c: KeyContext) => void;
}

/** One key of the UI. */
export interface Binding {
  /** Its names as shown: the first in the footer, all of them in the help (`q, Ctrl-C`). */
  readonly names: readonly string[];
  /** What the help screen and the README's key table say it does; none: a key of a question only (y/n). */
  readonly help?: string;
  readonly in: Partial<Record<Situation, Use>>;
}

/** A key and its label, as the footer shows it. */
export interface KeyHint {
  readonly key: string;
  readonly does: string;
}

/** The learner's edits of the step asked about. */
export function editsOf(run: RunSnapshot): Edits {
  return run.edits !== undefined && run.edits.stepId === run.question?.step.id ? run.edits.edits : NO_EDITS;
}

/** The situation of a snapshot, in the order that decides it (a panel over a question over the phase). */
export function situationOf(run: RunSnapshot): Situation {
  if (run.panel?.kind === 'edit') return 'editing';
  if (run.panel?.kind === 'help') return 'help';
  if (run.quitAsked) return 'confirm-quit';
  if (run.phase === 'offer') return 'offer';
  if (run.phase === 'ended') return 'ended';
  if (run.phase === 'cleanup') return 'cleanup';
  if (run.question?.kind === 'before-step') return 'before-step';
  if (run.question?.kind === 'after-failure') return 'after-failure';
  return 'running';
}

const notice =
  (text: string) =>
  ({ view }: KeyContext): void =>
    view.setNotice(text);

const runAsked = ({ view, run }: KeyContext): void => {
  const q = run.question;
  if (q?.kind === 'before-step') view.answer(runDecision(q.step, q.commands, q.values, editsOf(run)));
};
const askQuit = ({ view }: KeyContext): void => view.setQuitAsked(true);
const confirmQuit = ({ view, actions, run }: KeyContext): void => {
  view.setQuitAsked(false);
  if (run.phase === 'offer') view.answerOffer('quit');
  else if (run.question !== undefined) view.answer('quit');
  else actions.interrupt();
};
const stayQuit = ({ view }: KeyContext): void => view.setQuitAsked(false);
const openOutput = ({ view, actions, run }: KeyContext): void => {
  const current = run.steps.find((s) => s.step.id === run.currentId) ?? run.cleanup.find((s) => s.step.id === run.currentId);
  const step = [current, ...[...run.steps].reverse()].find((s) => s !== undefined && s.lineCount > 0);
  if (step === undefined) return view.setNotice('No step has printed anything yet.');
  actions.openOutput(step.step);
};
const openShell = ({ actions, run }: KeyContext): void => {
  if (run.question !== undefined) actions.openShell(run.question.step);
};
const toggleAuto = (c: KeyContext): void => {
  c.view.setAuto(!c.run.auto);
  if (!c.run.auto) runAsked(c);
};
const showHelp = ({ view }: KeyContext): void => view.setPanel({ kind: 'help' });
const busy = notice('A step is running: wait for it, or q to stop it.');

/** Every key, in the order the footer and the help list them. */
export const KEY_MAP: readonly Binding[] = [
  {
    names: ['Enter'],
    help: 'run the step shown (its command is on the screen, placeholders filled in)',
    in: {
      editing: { label: 'keep the edit', do: (c) => editor(c) },
      'confirm-quit': { do: confirmQuit },
      offer: { label: 'continue there', do: ({ view }) => view.answerOffer('continue') },
      'before-step': { label: 'run', do: runAsked },
      'after-failure': { do: notice('The step failed: r runs it again, c goes on without it.') },
      running: { do: busy },
    },
  },
  {
    names: ['y'],
    in: { 'confirm-quit': { label: 'yes', do: confirmQuit }, offer: { do: ({ view }) => view.answerOffer('continue') } },
  },
  {
    names: ['n'],
    in: {
      'confirm-quit': { label: 'no, stay', do: stayQuit },
      offer: { label: 'start from the beginning', do: ({ view }) => view.answerOffer('restart') },
    },
  },
  {
    names: ['s'],
    help: 'skip this step and go to the next one',
    in: {
      'before-step': { label: 'skip', do: ({ view }) => view.answer({ action: 'skip' }) },
      'after-failure': { do: ({ view }) => view.answer('continue') },
      running: { do: busy },
    },
  },
  {
    names: ['r'],
    help: 'after a step failed: run it again (as edited)',
    in: {
      'before-step': { do: notice('This step has not run yet: Enter runs it.') },
      'after-failure': { label: 'retry', do: ({ view }) => view.answer('retry') },
    },
  },
  {
    names: ['c'],
    help: 'after a step failed: leave it failed and go on',
    in: { 'after-failure': { label: 'continue without it', do: ({ view }) => view.answer('continue') } },
  },
  {
    names: ['e'],
    help: "edit a placeholder value or the command before it runs (shown as a diff from the kata's own)",
    in: {
      'before-step': { label: 'edit', do: ({ view, run }) => view.setPanel({ kind: 'edit', draft: editsOf(run), selected: 0 }) },
      'after-failure': { do: notice('A failed step runs again as it is (r); edits are for steps that have not run yet.') },
      running: { do: busy },
    },
  },
  {
    names: ['a'],
    help: 'run the rest automatically (stops at the first failure); a again to stop',
    in: {
      'before-step': { label: 'run the rest', do: toggleAuto },
      'after-failure': { do: toggleAuto },
      running: { label: (run) => (run.auto ? 'stop running automatically' : 'run the rest automatically'), do: toggleAuto },
    },
  },
  {
    names: ['i'],
    help: "open your own shell where the step runs (this machine, or `kubectl exec -it` into the pod, in the kata shell's directory with its variables); `exit` comes back",
    in: {
      'before-step': { label: 'shell', do: openShell },
      'after-failure': { label: 'shell', do: openShell },
      running: { do: notice('A step is running: the shell opens between steps (wait, or q to stop it).') },
    },
  },
  {
    names: ['o'],
    help: "the step's full output in a pager (`less`; q leaves it)",
    in: {
      cleanup: { label: 'full output', do: openOutput },
      'before-step': { label: 'output', do: openOutput },
      'after-failure': { label: 'full output', do: openOutput },
      running: { label: 'output so far', do: openOutput },
    },
  },
  {
    names: ['q', 'Ctrl-C'],
    help: 'quit: asks first, then runs the cleanup and shows it',
    in: {
      'confirm-quit': { do: confirmQuit },
      offer: { do: ({ view }) => view.answerOffer('quit') },
      cleanup: { label: 'skip the rest of the cleanup', do: askQuit },
      'before-step': { label: 'quit', do: askQuit },
      'after-failure': { label: 'quit', do: askQuit },
      running: { label: 'stop', do: askQuit },
    },
  },
  {
    names: ['Esc'],
    in: { editing: { label: 'cancel', do: (c) => editor(c) }, 'confirm-quit': { do: stayQuit } },
  },
  {
    names: ['?'],
    help: 'this help',
    in: {
      cleanup: { do: showHelp },
      'before-step': { label: 'help', do: showHelp },
      'after-failure': { label: 'help', do: showHelp },
      running: { label: 'help', do: showHelp },
    },
  },
];

/** What any other key does: the editor takes every key, help closes on any key, the cleanup says it runs. */
const OTHER_KEYS: Partial<Record<Situation, (c: KeyContext) => void>> = {
  editing: (c) => editor(c),
  help: ({ view }) => view.setPanel(undefined),
  cleanup: notice('The cleanup is running: q stops it (what the kata created may then stay).'),
};

/** Footer labels of the situations whose keys are not in KEY_MAP's own rows. */
const OTHER_HINTS: Partial<Record<Situation, readonly KeyHint[]>> = { help: [{ key: 'any key', does: 'close help' }] };

/** The editor panel owns the keyboard while it is open; Enter keeps the edit, Esc drops it. */
function editor({ view, run, input, key }: KeyContext): void {
  const q = run.question;
  if (run.panel?.kind !== 'edit') return;
  if (q?.kind !== 'before-step') return view.setPanel(undefined);
  const outcome = editorKey(run.panel, input, key, { step: q.step, asked: q.commands, values: q.values });
  if (outcome.kind === 'edit') return view.setPanel({ kind: 'edit', ...outcome.state });
  if (outcome.kind === 'done') view.setEdits(q.step.id, outcome.edits);
  view.setPanel(undefined);
}

/** True when the key pressed is the one called `name`. */
function pressed(name: string, input: string, key: Key): boolean {
  if (name === 'Enter') return key.return;
  if (name === 'Esc') return key.escape;
  if (name === 'Ctrl-C') return key.ctrl && input === 'c';
  return input === name && !key.ctrl && !key.meta;
}

/** Applies one key to the view. */
export function onKey(view: RunView, actions: Actions, input: string, key: Key): void {
  const run = view.getSnapshot();
  const situation = situationOf(run);
  const context: KeyContext = { view, actions, run, input, key };
  const binding = KEY_MAP.find((b) => b.names.some((name) => pressed(name, input, key)));
  const use = binding?.in[situation];
  if (use !== undefined) return use.do(context);
  OTHER_KEYS[situation]?.(context);
}

/** The keys the footer offers now. */
export function footerKeys(run: RunSnapshot): KeyHint[] {
  const situation = situationOf(run);
  const listed = KEY_MAP.flatMap((b) => {
    const label = b.in[situation]?.label;
    return label === undefined ? [] : [{ key: b.names[0] as string, does: typeof label === 'string' ? label : label(run) }];
  });
  return [...listed, ...(OTHER_HINTS[situation] ?? [])];
}

/** The help screen's (and the README's) rows: every key that has a help text, with all its names. */
export function helpRows(): ReadonlyArray<{ readonly keys: readonly string[]; readonly help: string }> {
  return KEY_MAP.flatMap((b) => (b.help === undefined ? [] : [{ keys: b.names, help: b.help }]));
}
