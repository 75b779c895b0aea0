import { Box, Text } from 'ink';
import { helpRows } from '../key-map.js';
import { MARKS } from './StepMark.js';

/** Every key, and what the marks in the step list mean. */
export function HelpScreen() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>
        Keys <Text dimColor>(any key closes this help)</Text>
      </Text>
      {helpRows().map(({ keys, help }) => (
        <Box key={keys[0]}>
          <Box width={11} flexShrink={0}>
            <Text bold>{keys.join(', ')}</Text>
          </Box>
          <Text>{help}</Text>
        </Box>
      ))}
      <Text bold>Marks</Text>
      <Text>
        <Text>⠋ running</Text>
        {Object.values(MARKS).map((m) => `   ${m.glyph} ${m.label}`)}
      </Text>
      <Text dimColor>Progress is saved as you go: kata run FILE --resume continues where you stopped.</Text>
    </Box>
  );
}
