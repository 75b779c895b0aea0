import { Text } from 'ink';
import { useColor } from '../hooks/use-color.js';
import { useTicker } from '../hooks/use-ticker.js';
import type { StepMark as Mark } from '../run-view.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The mark of each status: distinct shapes, so they read without colour. */
export const MARKS: Readonly<Record<Exclude<Mark, 'running'>, { readonly glyph: string; readonly color: string; readonly label: string }>> =
  {
    pending: { glyph: '○', color: 'gray', label: 'not run yet' },
    waiting: { glyph: '▶', color: 'cyan', label: 'next: waiting for you' },
    background: { glyph: '◆', color: 'magenta', label: 'running in the background' },
    passed: { glyph: '✓', color: 'green', label: 'passed' },
    failed: { glyph: '✗', color: 'red', label: 'failed' },
    skipped: { glyph: '↷', color: 'yellow', label: 'skipped' },
    shown: { glyph: '·', color: 'gray', label: 'shown, not run' },
    interrupted: { glyph: '■', color: 'yellow', label: 'interrupted' },
  };

export interface Props {
  /** The step's status. */
  readonly mark: Mark;
}

/** A step's status mark; a spinner while it runs. */
export function StepMark({ mark }: Props) {
  const paint = useColor();
  const tick = useTicker(mark === 'running', 100);
  if (mark === 'running') return <Text {...paint('cyan')}>{SPINNER[tick % SPINNER.length]}</Text>;
  const { glyph, color } = MARKS[mark];
  return <Text {...paint(color)}>{glyph}</Text>;
}
