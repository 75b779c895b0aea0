import { Box, Text } from 'ink';
import { formatDuration } from '../../kata/describe.js';
import { useColor } from '../hooks/use-color.js';
import type { RunSnapshot } from '../run-view.js';
import { StepMark } from './StepMark.js';

export interface Props {
  readonly run: RunSnapshot;
}

/** How the run went: counts, the time of each step, and where the reports went. */
export function Summary({ run }: Props) {
  const paint = useColor();
  const steps = run.steps.filter((s) => s.step.run);
  const count = (mark: string): number => steps.filter((s) => s.mark === mark).length;
  const notRun = count('pending') + count('waiting');
  const status = run.ended?.status ?? 'ended';
  const width = Math.max(4, ...steps.map((s) => s.step.id.length));
  return (
    <Box flexDirection="column">
      <Text bold {...paint(status === 'passed' ? 'green' : status === 'failed' ? 'red' : 'yellow')}>
        {status === 'passed' ? 'Kata done: every step passed' : status === 'failed' ? 'Kata failed' : 'Kata stopped before the end'}
        {run.ended !== undefined ? ` in ${formatDuration(run.ended.durationMs)}` : ''}
      </Text>
      <Text>
        {count('passed')} passed, {count('failed')} failed, {count('skipped')} skipped
        {count('interrupted') > 0 ? `, ${count('interrupted')} interrupted` : ''}
        {notRun > 0 ? `, ${notRun} not run` : ''}
      </Text>
      {steps.map((s) => (
        <Text key={s.step.id} wrap="truncate-end">
          {'  '}
          <StepMark mark={s.mark === 'running' || s.mark === 'background' ? 'interrupted' : s.mark} /> {s.step.id.padEnd(width)}{' '}
          <Text dimColor>{s.durationMs !== undefined && s.mark !== 'pending' ? formatDuration(s.durationMs).padStart(6) : '     -'}</Text>
          {s.mark === 'failed' && s.reason !== undefined ? <Text dimColor> {s.reason}</Text> : null}
        </Text>
      ))}
      {run.reports.map((r) => (
        <Text key={r}>report: {r}</Text>
      ))}
      {run.ended !== undefined ? <Text dimColor>exit code {run.ended.exitCode}</Text> : null}
    </Box>
  );
}
