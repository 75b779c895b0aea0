/** Helpers for the UI's component tests: recorded runs, a rendered App, and waiting for a frame. */
import { readFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import type { EngineEvent } from '../../src/run/events.js';
import type { Kata } from '../../src/kata/model.js';
import type { Actions } from '../../src/ui/actions.js';
import { App } from '../../src/ui/components/App.js';
import { RunView } from '../../src/ui/run-view.js';
import { ThemeContext } from '../../src/ui/theme.js';

/** The events of a recorded run (see record.mjs). */
export function recording(name: string): EngineEvent[] {
  return JSON.parse(readFileSync(new URL(`../ui/recordings/${name}.json`, import.meta.url), 'utf8')) as EngineEvent[];
}

/** The kata of a recorded run. */
export function kataOf(events: readonly EngineEvent[]): Kata {
  const first = events[0];
  if (first?.type !== 'run-started') throw new Error('a recording starts with run-started');
  return first.kata;
}

export interface Rendered {
  readonly view: RunView;
  readonly frame: () => string;
  readonly press: (keys: string) => void;
  readonly actions: { interrupted: number; shells: string[]; outputs: string[] };
  readonly unmount: () => void;
}

/** Renders the App over a RunView (no batching: every event publishes). */
export function renderApp(kata: Kata, options: { columns?: number; rows?: number; color?: boolean } = {}): Rendered {
  const view = new RunView(kata, 0);
  const calls = { interrupted: 0, shells: [] as string[], outputs: [] as string[] };
  const actions: Actions = {
    interrupt: () => void calls.interrupted++,
    openShell: (step) => void calls.shells.push(step.id),
    openOutput: (step) => void calls.outputs.push(step.id),
  };
  const { lastFrame, stdin, unmount } = render(
    <ThemeContext.Provider value={{ color: options.color ?? false }}>
      <App view={view} actions={actions} size={{ columns: options.columns ?? 100, rows: options.rows ?? 40 }} />
    </ThemeContext.Provider>,
  );
  return { view, frame: () => lastFrame() ?? '', press: (keys) => stdin.write(keys), actions: calls, unmount };
}

/** Waits until a rendered frame satisfies `test` (polls the frames Ink writes; no fixed sleep). */
export async function waitForFrame(frame: () => string, test: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Yield first: React attaches key handlers in effects that run after the frame is written.
    await new Promise((resolve) => setImmediate(resolve));
    const current = frame();
    if (test(current)) return current;
    if (Date.now() > deadline) throw new Error(`no frame matched within ${timeoutMs}ms; the last one was:\n${current}`);
  }
}

/** Waits for a frame containing every one of `texts`. */
export function frameWith(frame: () => string, ...texts: string[]): Promise<string> {
  return waitForFrame(frame, (f) => texts.every((t) => f.includes(t)));
}

export const KEYS = { enter: '\r', escape: '\x1b', tab: '\t', backspace: '\x7f', ctrlU: '\x15', ctrlC: '\x03', down: '\x1b[B' } as const;
