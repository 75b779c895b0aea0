import { Box, Text } from 'ink';
import { MARKS } from './StepMark.js';

const KEYS: readonly (readonly [string, string])[] = [
  ['Enter', 'run the step shown (its command is on the screen, placeholders filled in)'],
  ['s', 'skip this step and go to the next one'],
  ['r', 'after a step failed: run it again'],
  ['c', 'after a step failed: leave it failed and go on'],
  ['e', 'edit a placeholder value or the command before it runs (the change is shown as a diff)'],
  ['a', 'run the rest automatically (stops at the first failure); a again to stop'],
  ['i', 'open your own shell where the step runs (your machine, or the pod); type exit to come back'],
  ['o', 'show the full output of the step in a pager (q leaves the pager)'],
  ['q', 'quit: asks first, then runs the cleanup and shows it; Ctrl-C does the same'],
  ['?', 'this help'],
];

/** Every key, and what the marks in the step list mean. */
export function HelpScreen() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>
        Keys <Text dimColor>(any key closes this help)</Text>
      </Text>
      {KEYS.map(([key, does]) => (
        <Box key={key}>
          <Box width={7} flexShrink={0}>
            <Text bold>{key}</Text>
          </Box>
          <Text>{does}</Text>
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
