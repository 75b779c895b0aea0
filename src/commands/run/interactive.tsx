/**
 * `kata run` in a terminal: the same run as the headless one (headless.ts), with the Ink screen
 * as the front end. The screen consumes engine events and answers the engine's gate; shells and
 * pagers the learner opens are started by src/exec/interactive.ts while Ink steps aside.
 * Loaded only when the UI runs (dynamic import), so Ink and React cost nothing otherwise.
 */
import { renderToString, Box } from 'ink';
import { dirname, resolve } from 'node:path';
import type { Outcome } from '../../errors.js';
import { openPager, openShell, type ShellPlace } from '../../exec/interactive.js';
import type { ShellState } from '../../exec/shell-session.js';
import type { Kata, Step } from '../../kata/model.js';
import { PlainReporter } from '../../report/plain.js';
import { RunRecorder } from '../../report/run-record.js';
import { writeReports } from '../../report/write.js';
import { Engine } from '../../run/engine.js';
import type { EngineEvent } from '../../run/events.js';
import { loadProgress, planResume, type ResumePlan } from '../../run/resume.js';
import type { Actions } from '../../ui/actions.js';
import { CleanupView } from '../../ui/components/CleanupView.js';
import { Summary } from '../../ui/components/Summary.js';
import { OutputLog } from '../../ui/output-log.js';
import { ProgressKeeper } from '../../ui/progress-keeper.js';
import { RunView } from '../../ui/run-view.js';
import { Screen } from '../../ui/screen.js';
import { ThemeContext, colorWanted } from '../../ui/theme.js';
import { UiGate } from '../../ui/ui-gate.js';
import { engineSettings, prepareRun, type RunSettings } from './prepare.js';
import { omitUndefined } from '../../omit-undefined.js';

export interface RunInteractiveOptions extends RunSettings {
  /** Offer to continue at the first unfinished step of the last run. */
  readonly resume: boolean;
}

/**
 * Runs a kata with the terminal UI and returns how it ended (as the headless run does). The
 * caller has decided that the run is interactive (see `interactive()` in index.ts).
 */
export async function runInteractive(options: RunInteractiveOptions): Promise<Outcome> {
  const prepared = await prepareRun(options, (line) => process.stderr.write(`${line}\n`));
  const { reports, kata, cluster } = prepared;

  const env = process.env;
  const saved = options.resume ? loadProgress(kata.file, env) : undefined;
  const plan: ResumePlan | undefined = saved === undefined ? undefined : planResume(kata, saved);
  const view = new RunView(kata);
  const output = new OutputLog();
  view.setOutputDir(output.dir);
  const gate = new UiGate(view, plan?.at === undefined ? new Map() : plan.replay, plan?.at === undefined ? new Set() : plan.skip);
  const recorder = new RunRecorder();
  const cwd = dirname(resolve(options.file));
  const ui = new Screen(view, process.stderr, process.stdin);
  let plain: PlainReporter | undefined;
  let engine: Engine | undefined;
  let handedOver = false;

  const actions: Actions = {
    // During the cleanup, quitting means skipping the rest of it; the engine counts a quit from the
    // gate as no interrupt, so it is asked until it says the cleanup is skipped.
    interrupt: () => {
      if (engine === undefined) return;
      if (view.getSnapshot().phase !== 'cleanup') engine.interrupt();
      else while (engine.interrupt() !== 'skip-cleanup');
    },
    openShell: (step) => {
      const place = shellPlace(kata, step, cwd, gate.values, engine);
      if (typeof place === 'string') return view.setNotice(place);
      const where =
        place.kind === 'host'
          ? 'on this machine'
          : `in ${place.target}${place.container === undefined ? '' : ` (container ${place.container})`}`;
      void hand(async () => {
        const state = await contextState(engine, step.context);
        const note =
          state === undefined && place.kind === 'host'
            ? ` in ${place.cwd} (a new shell: the kata's own shell keeps its directory and variables)`
            : '';
        return openShell(place, {
          env: { ...env, ...(cluster?.env ?? {}) },
          ...omitUndefined({ state }),
          banner: `kata-runner: your shell ${where}${note}. Type exit to go back to the kata.`,
        });
      });
    },
    openOutput: (step) => {
      const file = output.fileOf(step.id);
      if (file === undefined) return view.setNotice(`${step.id} has printed nothing yet.`);
      void hand(() => openPager(file, env));
    },
  };
  // The terminal goes to a shell or pager; the screen comes back where it was (its state lives in `view`).
  const hand = async (program: () => Promise<number>): Promise<void> => {
    if (handedOver) return;
    handedOver = true;
    try {
      await ui.suspend();
      await program();
    } finally {
      ui.resume();
      handedOver = false;
    }
  };

  const onInterrupt = (): void => {
    if (handedOver) return; // Ctrl-C in the learner's shell belongs to that shell
    if (!view.getSnapshot().quitAsked) return view.setQuitAsked(true);
    view.setQuitAsked(false);
    view.answerOffer('quit');
    if (view.getSnapshot().question !== undefined) view.answer('quit');
    else actions.interrupt();
  };
  const onTerminate = (): void => {
    engine?.interrupt();
    view.answer('quit');
    view.answerOffer('quit');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onTerminate);

  ui.start(actions, () => {
    // The screen itself failed: stop the kata, clean up, and say so in plain lines.
    plain = new PlainReporter((text) => process.stdout.write(text));
    process.stdout.write('kata: the terminal UI stopped because of an internal error; running the cleanup with plain output.\n');
    onTerminate();
  });
  let outcome: Outcome;
  try {
    if (options.resume && plan?.at !== undefined) {
      const answer = await view.offerResume({ at: plan.at, replay: plan.replay.size, changed: plan.changed });
      if (answer === 'quit') {
        // Nothing ran, so there is nothing to clean up (the progress stays) but what connecting set up.
        await cluster?.close();
        prepared.ledger.remove();
        return 'interrupted';
      }
      if (answer === 'continue') view.markReplayed(new Set(plan.replay.keys()));
      else gate.forget();
    } else if (options.resume) {
      view.setNotice(
        saved === undefined
          ? 'No saved progress for this kata: starting from the beginning.'
          : 'Every step was finished last time: starting from the beginning.',
      );
    }
    const keeper = new ProgressKeeper(kata, gate, env, plan?.at !== undefined && gate.replaying ? saved?.finished : {});
    engine = new Engine({
      ...engineSettings(prepared, options),
      gate,
      listener: (event: EngineEvent) => {
        recorder.on(event);
        output.on(event);
        keeper.on(event);
        view.on(event);
        plain?.on(event);
      },
    });
    outcome = await engine.run();
    const written = writeReports(recorder.record, reports);
    view.setReports(written);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
    process.off('SIGHUP', onTerminate);
    await ui.stop();
    output.dispose();
  }
  // The final screen stays in the learner's scrollback: cleanup, summary, reports.
  process.stdout.write(`${finalText(view)}\n`);
  return outcome;
}

/**
 * The directory and exported variables of the kata's shell `name`, once the engine can tell them
 * (`Engine.contextState`); undefined when the shell is not open or busy, or on failure.
 */
async function contextState(engine: Engine | undefined, name: string): Promise<ShellState | undefined> {
  if (engine === undefined) return undefined;
  try {
    return await engine.contextState(name);
  } catch {
    return undefined;
  }
}

/** Where the learner's shell opens for a step: this machine, or the pod of the step's shell. */
function shellPlace(
  kata: Kata,
  step: Step,
  cwd: string,
  values: ReadonlyMap<string, string>,
  engine: Engine | undefined,
): ShellPlace | string {
  if (step.context === 'host') return { kind: 'host', cwd };
  const context = kata.contexts.find((c) => c.name === step.context);
  const place = engine?.contextPlace(step.context);
  if (context === undefined || place === undefined || values.get(`context:${step.context}`) === undefined)
    return `The shell "${step.context}" is not open yet (the step that opens it has not run).`;
  // The engine knows the exact container (for a debug shell, the runner's debugger-xxxxx one).
  return {
    kind: 'pod',
    target: place.target,
    ...omitUndefined({ container: place.container }),
    shell: context.opener.shell,
  };
}

function finalText(view: RunView): string {
  const run = view.getSnapshot();
  return renderToString(
    <ThemeContext.Provider value={{ color: colorWanted() && process.stdout.isTTY === true }}>
      <Box flexDirection="column">
        <CleanupView run={run} outputRows={2} />
        <Summary run={run} />
      </Box>
    </ThemeContext.Provider>,
    { columns: process.stdout.columns ?? 80 },
  );
}
