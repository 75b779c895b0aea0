import { Box, Text } from 'ink';
import { useColor } from '../hooks/use-color.js';
import { useTicker } from '../hooks/use-ticker.js';
import type { RunSnapshot } from '../run-view.js';

export interface Props {
  readonly run: RunSnapshot;
  readonly columns: number;
}

/** Title, where the kata runs, how far along it is and for how long. */
export function Header({ run, columns }: Props) {
  const paint = useColor();
  const live = run.phase !== 'ended';
  useTicker(live, 1000);
  const runnable = run.steps.filter((s) => s.step.run);
  const done = runnable.filter(
    (s) => s.mark !== 'pending' && s.mark !== 'waiting' && s.mark !== 'running' && s.mark !== 'background',
  ).length;
  const currentIndex = runnable.findIndex((s) => s.step.id === run.currentId);
  const position = currentIndex === -1 ? Math.min(done + 1, runnable.length) : currentIndex + 1;
  const elapsed = clock(run.ended?.durationMs ?? Date.now() - run.startedAt);
  const label = run.phase === 'cleanup' ? 'cleanup' : run.phase === 'ended' ? 'done' : `step ${position} of ${runnable.length}`;
  const barWidth = Math.max(6, Math.min(30, columns - label.length - elapsed.length - 8));
  const filled = runnable.length === 0 ? barWidth : Math.round((done / runnable.length) * barWidth);
  const where =
    run.target === undefined
      ? 'this machine only (no cluster)'
      : `${run.target.cluster} · context ${run.target.context} · namespace ${run.target.namespace}`;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {run.kata.title}
      </Text>
      <Text dimColor wrap="truncate-end">
        {where}
      </Text>
      <Box>
        <Text {...paint('green')}>{'█'.repeat(filled)}</Text>
        <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
        <Text> {label}</Text>
        <Text dimColor> · {elapsed}</Text>
        {run.auto ? <Text {...paint('magenta')}> · auto</Text> : null}
      </Box>
    </Box>
  );
}

/** 75000 -> "1:15", 3725000 -> "1:02:05". */
function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
