import { Box, Text } from 'ink';
import { formatDuration } from '../../kata/describe.js';
import type { StepView } from '../run-view.js';
import { StepMark } from './StepMark.js';

export interface Props {
  readonly steps: readonly StepView[];
  readonly currentId?: string;
  /** Rows available: the list scrolls to keep the current step in view. */
  readonly height: number;
  /** Columns available: each row is cut to fit. */
  readonly width: number;
}

/** Every step with its mark; the current one highlighted. Shown blocks are left out (they are not steps to do). */
export function StepList({ steps, currentId, height, width }: Props) {
  const visible = steps.filter((s) => s.step.run);
  const current = Math.max(
    0,
    visible.findIndex((s) => s.step.id === currentId),
  );
  const rows = Math.max(1, Math.min(height, visible.length));
  const start = Math.max(0, Math.min(current - Math.floor(rows / 2), visible.length - rows));
  const shown = visible.slice(start, start + rows);
  return (
    <Box flexDirection="column">
      {shown.map((view) => {
        const here = view.step.id === currentId;
        const first = (view.commands[0] ?? '').split('\n')[0] ?? '';
        const time =
          view.durationMs !== undefined && view.mark !== 'shown' && view.mark !== 'running' ? ` ${formatDuration(view.durationMs)}` : '';
        // Cut by hand, so the time stays at the end and a row never wraps: "› ✓ " is 4 columns.
        const name = `${view.step.id}${view.replayed ? ' (replayed)' : ''}`;
        const room = Math.max(0, width - 4 - name.length - time.length - 1);
        const command = first.length > room ? `${first.slice(0, Math.max(0, room - 1))}…` : first;
        return (
          <Box key={view.step.id}>
            <Text>{here ? '›' : ' '} </Text>
            <StepMark mark={view.mark} />
            <Text bold={here} wrap="truncate-end">
              {' '}
              {name}
              <Text dimColor>
                {room > 1 ? ` ${command}` : ''}
                {time}
              </Text>
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
