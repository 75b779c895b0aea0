/**
 * `kata run` without a terminal UI: plain lines on stdout, SIGINT/SIGTERM/SIGHUP stop the step
 * and run the cleanup (the second one skips it), and the reports are written at the end.
 */
import type { Outcome } from '../../errors.js';
import { batchedWriter } from '../../report/batched.js';
import { PlainReporter } from '../../report/plain.js';
import { RunRecorder } from '../../report/run-record.js';
import { writeReports } from '../../report/write.js';
import { Engine } from '../../run/engine.js';
import type { EngineEvent } from '../../run/events.js';
import { engineSettings, prepareRun, type RunSettings } from './prepare.js';

/** Where progress and results go; stdout, batched, unless a test says otherwise. */
export type Write = (text: string) => void;

/** Runs a kata headless and returns how it ended. */
export async function runHeadless(settings: RunSettings, write?: Write): Promise<Outcome> {
  if (write !== undefined) return runWith(settings, write);
  const batched = batchedWriter((text) => process.stdout.write(text));
  // Whatever ends the process (a second Ctrl-C included), what was printed gets out first.
  process.once('exit', batched.flush);
  try {
    return await runWith(settings, batched);
  } finally {
    batched.flush();
  }
}

async function runWith(settings: RunSettings, write: Write): Promise<Outcome> {
  const prepared = await prepareRun(settings, (line) => write(`${line}\n`));
  const recorder = new RunRecorder();
  const plain = new PlainReporter(write);
  const engine = new Engine({
    ...engineSettings(prepared, settings),
    listener: (event: EngineEvent) => {
      recorder.on(event);
      plain.on(event);
    },
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    const what = engine.interrupt();
    const again = signal === 'SIGINT' ? 'Ctrl-C' : 'send it';
    write(
      what === 'cleanup'
        ? `\n== ${signal}: stopping the current step and running the cleanup (${again} again to skip the cleanup)\n`
        : what === 'in-cleanup'
          ? `\n== ${signal}: the cleanup is running and goes on (${again} again to skip the rest of it)\n`
          : `\n== ${signal} again: skipping the rest of the cleanup\n`,
    );
  };
  // A closed terminal (SIGHUP) is a request to stop like any other: cleanup first.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  let outcome;
  try {
    outcome = await engine.run();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  plain.summary(recorder.record, writeReports(recorder.record, prepared.reports));
  return outcome;
}
