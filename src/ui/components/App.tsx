import { Box, Text, useInput, useStdin } from 'ink';
import { commandsWith, hasEdits } from '../edits.js';
import type { Actions } from '../actions.js';
import { splitKeys } from '../keys.js';
import { editsOf, footerKeys, onKey, situationOf, type KeyHint } from '../key-map.js';
import { useColor } from '../hooks/use-color.js';
import { useRunView } from '../hooks/use-run-view.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { proseBlocks } from '../markdown.js';
import type { RunSnapshot, RunView, StepView } from '../run-view.js';
import { CleanupView } from './CleanupView.js';
import { CurrentStep } from './CurrentStep.js';
import { Editor } from './Editor.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
import { LastResult } from './LastResult.js';
import { ResumeOffer } from './ResumeOffer.js';
import { StepList } from './StepList.js';
import { Summary } from './Summary.js';
import { omitUndefined } from '../../omit-undefined.js';

export interface Props {
  readonly view: RunView;
  readonly actions: Actions;
  /** Fixed terminal size (tests); the real size otherwise. */
  readonly size?: { readonly columns?: number; readonly rows?: number };
}

/** The whole screen of an interactive run; owns the keys. */
export function App({ view, actions, size }: Props) {
  const run = useRunView(view);
  const { columns, rows } = useTerminalSize(size);
  const { isRawModeSupported } = useStdin();
  const paint = useColor();
  const question = run.question;
  const current = run.steps.find((s) => s.step.id === run.currentId) ?? run.cleanup.find((s) => s.step.id === run.currentId);
  const edits = editsOf(run);

  // Keys are judged against the view's latest snapshot, not this render's: a key that arrives
  // before React has re-subscribed the handler must still see the screen as it is.
  useInput(
    (input, key) => {
      for (const [one, k] of splitKeys(input, key)) onKey(view, actions, one, k);
    },
    { isActive: isRawModeSupported },
  );

  const listRows = Math.min(run.steps.filter((s) => s.step.run).length, Math.max(3, Math.floor(rows / 4)));
  const footer = footerOf(run);
  const footerRows =
    (footer.message === undefined ? 0 : Math.ceil(footer.message.length / Math.max(1, columns))) +
    keyRows(footer.keys, columns) +
    (isRawModeSupported ? 0 : 1);
  // Every part has a fixed height, so the frame never grows past the screen (a frame taller than
  // the terminal scrolls it, and Ink then erases the wrong lines).
  const height = Math.max(8, rows - 1);
  const bodyRows = Math.max(3, height - 3 - 1 - listRows - 1 - footerRows);
  const runnable = run.steps.filter((s) => s.step.run);
  // While the next step is asked about, the result of the one before stays in view.
  const last = question?.kind === 'before-step' ? run.steps.find((s) => s.step.id === run.lastEndedId && s !== current) : undefined;
  const lastLines = Math.min(5, Math.max(1, Math.floor(bodyRows / 6)));
  const lastRows = last === undefined ? 0 : 2 + Math.min(last.tail.length, lastLines) + last.checks.length;

  return (
    // One row short of the terminal: a frame as tall as the screen makes Ink clear the whole
    // terminal on every update (flicker) and scroll it by a line.
    <Box flexDirection="column" width={columns} height={height} overflow="hidden">
      <Header run={run} columns={columns} />
      <Box marginTop={1} flexDirection="column">
        <StepList steps={run.steps} {...omitUndefined({ currentId: run.currentId })} height={listRows} width={columns} />
      </Box>
      <Box marginTop={1} flexDirection="column" height={bodyRows} flexShrink={0} overflow="hidden">
        {/* Not shrunk to fit (that would squeeze lines onto each other): cut at the bottom instead. */}
        <Box flexDirection="column" flexShrink={0}>
          {run.panel?.kind === 'help' ? (
            <HelpScreen />
          ) : run.phase === 'offer' && run.offer !== undefined ? (
            <ResumeOffer offer={run.offer} />
          ) : run.phase === 'ended' ? (
            <Box flexDirection="column">
              <CleanupView run={run} outputRows={2} />
              <Summary run={run} />
            </Box>
          ) : run.phase === 'cleanup' ? (
            <CleanupView run={run} outputRows={Math.max(2, bodyRows - 3 * run.cleanup.length - 2)} />
          ) : current !== undefined ? (
            <Box flexDirection="column">
              {last !== undefined ? <LastResult view={last} lines={lastLines} /> : null}
              <CurrentStep
                view={current}
                position={runnable.indexOf(current) + 1}
                total={runnable.length}
                file={run.kata.file}
                background={run.steps.filter((s) => s.mark === 'background' && s !== current)}
                {...(question?.kind === 'before-step' ? { values: question.values } : {})}
                edits={edits}
                {...(question?.kind === 'before-step' && hasEdits(edits)
                  ? { commands: commandsWith(question.step, question.commands, question.values, edits) }
                  : {})}
                {...budget(current, bodyRows - lastRows, columns)}
              />
              {run.panel?.kind === 'edit' && question?.kind === 'before-step' ? (
                <Editor context={{ step: question.step, asked: question.commands, values: question.values }} state={run.panel} />
              ) : null}
            </Box>
          ) : (
            <Text dimColor>Starting…</Text>
          )}
        </Box>
      </Box>
      <Box flexDirection="column" height={footerRows} flexShrink={0} overflow="hidden">
        <Footer keys={footer.keys} {...omitUndefined({ message: footer.message })} />
        {!isRawModeSupported ? (
          <Text {...paint('red')}>This terminal gives no keys to the UI: run with --yes for the plain output.</Text>
        ) : null}
      </Box>
    </Box>
  );
}

/** Rows the footer's keys take when wrapped at `columns` (as Footer lays them out: " key " does, gap 2). */
function keyRows(keys: readonly KeyHint[], columns: number): number {
  let rows = keys.length === 0 ? 0 : 1;
  let used = 0;
  for (const k of keys) {
    const width = k.key.length + 2 + 1 + k.does.length;
    if (used > 0 && used + 2 + width > columns) {
      rows++;
      used = width;
    } else used += (used > 0 ? 2 : 0) + width;
  }
  return rows;
}

/** Rows for the output and blocks of prose, so the step fits on the screen with its output. */
function budget(view: StepView, bodyRows: number, columns: number): { outputRows: number; proseBlocks: number } {
  const fixed = 2 + 1 + view.step.commands.length + view.step.placeholders.length + view.checks.length * 3 + 2;
  const blocks = proseBlocks(view.step.prose);
  const proseRoom = Math.max(2, Math.floor((bodyRows - fixed) * (view.lineCount > 0 ? 0.4 : 0.9)));
  let used = 0;
  let count = 0;
  for (const block of blocks) {
    const lines =
      Math.ceil((block.spans.reduce((n, s) => n + s.text.length, 0) + block.prefix.length + block.indent) / Math.max(10, columns - 2)) +
      (block.kind === 'heading' ? 1 : 0);
    if (used + lines > proseRoom && count > 0) break;
    used += lines;
    count++;
  }
  return { outputRows: Math.max(3, bodyRows - fixed - used - 1), proseBlocks: count };
}

/** The keys that work now (from the key map) and what the screen waits for. */
function footerOf(run: RunSnapshot): { keys: KeyHint[]; message?: string } {
  const keys = footerKeys(run);
  const message = messageOf(run);
  return message === undefined ? { keys } : { keys, message };
}

function messageOf(run: RunSnapshot): string | undefined {
  switch (situationOf(run)) {
    case 'editing':
    case 'help':
      return undefined;
    case 'confirm-quit':
      return run.phase === 'cleanup'
        ? 'Skip the rest of the cleanup? What the kata created may stay behind.'
        : 'Quit? The cleanup runs next, and your progress is kept (kata run FILE --resume).';
    case 'ended':
      return 'Done.';
    case 'offer':
      return run.notice ?? 'Continue where you stopped?';
    case 'cleanup':
      return run.notice ?? 'Cleaning up what the kata created…';
    case 'before-step':
      return run.notice ?? 'Read the step, then press Enter to run it.';
    case 'after-failure':
      return run.notice ?? 'The step failed. Look at what it printed and what the check expected, then retry or go on.';
    case 'running':
      return run.notice ?? (run.auto ? 'Running the steps automatically (stops at a failure)…' : 'Running…');
  }
}
