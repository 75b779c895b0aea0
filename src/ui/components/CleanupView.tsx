import { Box, Text } from 'ink';
import { formatDuration } from '../../kata/describe.js';
import { useColor } from '../hooks/use-color.js';
import type { RunSnapshot } from '../run-view.js';
import { screenLine } from '../text.js';
import { StepMark } from './StepMark.js';

export interface Props {
  readonly run: RunSnapshot;
  /** Output lines shown under the running cleanup step. */
  readonly outputRows: number;
}

const WHY = { success: 'the kata is done', failure: 'after a failure', interrupted: 'you quit' } as const;

/** Each cleanup command and its result, then anything left behind. */
export function CleanupView({ run, outputRows }: Props) {
  const paint = useColor();
  const steps = run.cleanup.filter((s) => s.step.run);
  return (
    <Box flexDirection="column">
      <Text bold>Cleanup{run.cleanupReason !== undefined ? <Text dimColor> ({WHY[run.cleanupReason]})</Text> : null}</Text>
      {run.cleanupReason === undefined && run.cleanupSkipped === undefined ? <Text dimColor>(not started)</Text> : null}
      {run.cleanupReason !== undefined && steps.length === 0 ? <Text dimColor>the kata has no cleanup commands</Text> : null}
      {steps.map((view) => (
        <Box key={view.step.id} flexDirection="column">
          <Text wrap="truncate-end">
            <StepMark mark={view.mark} /> {view.step.id}
            <Text dimColor>{view.durationMs !== undefined ? ` ${formatDuration(view.durationMs)}` : ''}</Text>
          </Text>
          {view.commands.map((c, i) => (
            <Text key={i} {...paint('cyan')} wrap="truncate-end">
              {'  $ '}
              {c}
            </Text>
          ))}
          {(view.mark === 'running' || view.mark === 'failed' ? view.tail.slice(-outputRows) : view.tail.slice(-1)).map((line, i) => (
            <Text key={i} dimColor wrap="truncate-end">
              {'  │ '}
              {screenLine(line)}
            </Text>
          ))}
          {view.mark === 'failed' && view.reason !== undefined ? <Text {...paint('red')}> ✗ {screenLine(view.reason)}</Text> : null}
        </Box>
      ))}
      {run.cleanupSkipped !== undefined ? <Text {...paint('yellow')}>cleanup skipped: {run.cleanupSkipped}</Text> : null}
      {run.leftovers.map((l) => (
        <Text key={l} {...paint('red')}>
          ✗ {l}
        </Text>
      ))}
      {run.phase === 'ended' && run.leftovers.length === 0 && run.cleanupSkipped === undefined ? (
        <Text {...paint('green')}>✓ nothing left behind</Text>
      ) : null}
    </Box>
  );
}
