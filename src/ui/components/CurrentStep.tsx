import { Box, Text } from 'ink';
import { formatDuration } from '../../kata/describe.js';
import type { Edits } from '../edits.js';
import { useColor } from '../hooks/use-color.js';
import type { StepView } from '../run-view.js';
import { screenLine } from '../text.js';
import { CheckList } from './CheckList.js';
import { CommandView } from './CommandView.js';
import { LiveOutput } from './LiveOutput.js';
import { MARKS } from './StepMark.js';
import { Prose } from './Prose.js';
import { omitUndefined } from '../../omit-undefined.js';

export interface Props {
  readonly view: StepView;
  /** Its position among the steps that run, and their number. */
  readonly position: number;
  readonly total: number;
  readonly file: string;
  /** Background jobs running now (their last line is shown). */
  readonly background: readonly StepView[];
  readonly values?: ReadonlyMap<string, string>;
  readonly edits?: Edits;
  /** The commands as they will run with the learner's edits (the view's otherwise). */
  readonly commands?: readonly string[];
  /** Rows for the live output. */
  readonly outputRows: number;
  /** Blocks of prose to show at most. */
  readonly proseBlocks: number;
}

/** The step the learner is on: its text, its command, what it printed, and whether it worked. */
export function CurrentStep({ view, position, total, file, background, values, edits, commands, outputRows, proseBlocks }: Props) {
  const paint = useColor();
  const { step } = view;
  const where = step.context === 'host' ? 'runs in your shell' : `runs in the shell "${step.context}"`;
  const ended = view.mark === 'passed' || view.mark === 'failed' || view.mark === 'skipped' || view.mark === 'interrupted';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{step.phase === 'cleanup' ? 'Cleanup step' : `Step ${position} of ${total}`}</Text>
        <Text dimColor>
          {' '}
          · {step.id} · {file}:{step.line} · {where}
          {step.background ? ' · in the background' : ''}
          {view.attempt > 1 ? ` · attempt ${view.attempt}` : ''}
        </Text>
      </Text>
      {step.section !== '' && !/^\s{0,3}#/m.test(step.prose) ? (
        <Text {...paint('blue')} bold wrap="truncate-end">
          {step.section}
        </Text>
      ) : null}
      <Prose markdown={step.prose} maxBlocks={proseBlocks} />
      <Box marginTop={1} flexDirection="column">
        <CommandView step={step} commands={commands ?? view.commands} {...omitUndefined({ values })} {...omitUndefined({ edits })} />
      </Box>
      {view.progress !== undefined ? (
        <Text dimColor wrap="truncate-end">
          … {view.progress}
        </Text>
      ) : null}
      <LiveOutput tail={view.tail} total={view.lineCount} height={outputRows} />
      {background.map((job) => (
        <Text key={job.step.id} wrap="truncate-end">
          <Text {...paint('magenta')}>◆ {job.step.id}</Text>
          <Text dimColor> in the background: </Text>
          {screenLine(job.tail[job.tail.length - 1] ?? '(no output yet)')}
        </Text>
      ))}
      <CheckList checks={view.checks} />
      {ended ? (
        <Text {...paint(MARKS[view.mark as 'passed'].color)}>
          {MARKS[view.mark as 'passed'].glyph} {view.mark}
          {view.durationMs !== undefined ? ` in ${formatDuration(view.durationMs)}` : ''}
          {view.reason !== undefined && view.mark !== 'passed' ? `: ${screenLine(view.reason)}` : ''}
          {view.mark === 'failed' ? ` (${file}:${step.line})` : ''}
        </Text>
      ) : null}
    </Box>
  );
}
