import { Box, Text } from 'ink';
import { count, screenLine } from '../text.js';

export interface Props {
  /** The last lines of the step's output. */
  readonly tail: readonly string[];
  /** How many lines it printed in all. */
  readonly total: number;
  /** Rows to show. */
  readonly height: number;
}

/** The last lines of a step's output, one screen row each (long lines are cut; the pager has them whole). */
export function LiveOutput({ tail, total, height }: Props) {
  if (total === 0) return null;
  const rows = Math.max(1, height);
  const shown = tail.slice(-rows);
  const hidden = total - shown.length;
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderLeft
      borderRight={false}
      borderTop={false}
      borderBottom={false}
      borderDimColor
      paddingLeft={1}
    >
      {hidden > 0 ? <Text dimColor>… {count(hidden)} earlier lines (o: all of it)</Text> : null}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {screenLine(line) || ' '}
        </Text>
      ))}
    </Box>
  );
}
