import { Box, Text } from 'ink';
import { formatDuration } from '../../kata/describe.js';
import { useColor } from '../hooks/use-color.js';
import type { StepView } from '../run-view.js';
import { count, screenLine } from '../text.js';
import { MARKS } from './StepMark.js';

export interface Props {
  readonly view: StepView;
  /** Output lines to show at most. */
  readonly lines: number;
}

/** What the step just run did, kept in view while the next one is read. */
export function LastResult({ view, lines }: Props) {
  const paint = useColor();
  const mark = view.mark === 'running' || view.mark === 'waiting' || view.mark === 'pending' ? undefined : MARKS[view.mark];
  if (mark === undefined) return null;
  const tail = view.tail.slice(-lines);
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text wrap="truncate-end">
        <Text {...paint(mark.color)}>
          {mark.glyph} {view.step.id} {view.mark === 'background' ? 'runs in the background' : view.mark}
        </Text>
        <Text dimColor>
          {view.durationMs !== undefined && view.mark !== 'background' ? ` in ${formatDuration(view.durationMs)}` : ''}
          {view.lineCount > 0 ? ` · ${count(view.lineCount)} line${view.lineCount === 1 ? '' : 's'} of output` : ' · no output'}
        </Text>
        {view.reason !== undefined && view.mark !== 'passed' ? <Text dimColor>: {screenLine(view.reason)}</Text> : null}
      </Text>
      {tail.map((line, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {'  │ '}
          {screenLine(line)}
        </Text>
      ))}
      {view.checks.map((c, i) => (
        <Text key={`c${i}`} wrap="truncate-end">
          {'  '}
          <Text {...paint(c.passed ? 'green' : 'red')}>{c.passed ? '✓' : '✗'}</Text> <Text dimColor>{c.expected}</Text>
        </Text>
      ))}
    </Box>
  );
}
