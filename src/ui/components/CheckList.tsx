import { Box, Text } from 'ink';
import type { CheckResult } from '../../checks/output-checks.js';
import { describeCheck } from '../../kata/describe.js';
import { useColor } from '../hooks/use-color.js';
import { screenLine } from '../text.js';

export interface Props {
  readonly checks: readonly CheckResult[];
}

/** What each check expected and what it saw. */
export function CheckList({ checks }: Props) {
  const paint = useColor();
  if (checks.length === 0) return null;
  return (
    <Box flexDirection="column">
      {checks.map((result, i) => (
        <Box key={i} flexDirection="column">
          <Text>
            <Text {...paint(result.passed ? 'green' : 'red')}>{result.passed ? '✓ check: ' : '✗ check: '}</Text>
            {describeCheck(result.check)}
            {result.check.inferred ? <Text dimColor> (inferred from the text, line {result.check.line})</Text> : null}
          </Text>
          {result.passed ? null : (
            <Box flexDirection="column" marginLeft={2}>
              <Text>
                <Text dimColor>expected: </Text>
                {result.expected}
              </Text>
              <Text>
                <Text dimColor>seen: </Text>
                {screenLine(result.detail)}
              </Text>
            </Box>
          )}
        </Box>
      ))}
    </Box>
  );
}
