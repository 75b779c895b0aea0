import { Box, Text } from 'ink';
import { useColor } from '../hooks/use-color.js';
import type { KeyHint } from '../key-map.js';

export interface Props {
  readonly keys: readonly KeyHint[];
  /** A line above the keys: what the screen waits for, or why a key did nothing. */
  readonly message?: string;
}

/** The keys that work now, and what the screen is waiting for. */
export function Footer({ keys, message }: Props) {
  const paint = useColor();
  return (
    <Box flexDirection="column">
      {message !== undefined ? <Text {...paint('yellow')}>{message}</Text> : null}
      <Box flexWrap="wrap" columnGap={2}>
        {keys.map((k) => (
          <Text key={k.key}>
            <Text bold inverse>
              {` ${k.key} `}
            </Text>
            <Text> {k.does}</Text>
          </Text>
        ))}
      </Box>
    </Box>
  );
}
