import { Box, Text } from 'ink';
import type { Step } from '../../kata/model.js';
import type { Edits } from '../edits.js';
import { useColor } from '../hooks/use-color.js';

export interface Props {
  readonly step: Step;
  /** The commands as they run (placeholders filled, edits applied). */
  readonly commands: readonly string[];
  /** Placeholder values known so far. */
  readonly values?: ReadonlyMap<string, string>;
  readonly edits?: Edits;
}

/** The step's commands as they will run; a typed command is shown as a diff from the kata's own, a typed value is marked. */
export function CommandView({ step, commands, values, edits }: Props) {
  const paint = useColor();
  return (
    <Box flexDirection="column">
      {step.placeholders.map((p) => {
        const typed = edits?.values[p.name];
        const value = typed ?? values?.get(p.name);
        return (
          <Text key={p.name} wrap="truncate-end">
            <Text dimColor>{`<${p.name}> = `}</Text>
            {value === undefined ? (
              <Text {...paint('yellow')}>
                (not known yet{p.podOfApp === undefined ? ': press e to give it' : ': looked up when the step starts'})
              </Text>
            ) : (
              <Text bold>{value}</Text>
            )}
            {typed !== undefined ? (
              <Text {...paint('magenta')}> (edited{values?.get(p.name) === undefined ? '' : `; was ${values.get(p.name)}`})</Text>
            ) : null}
          </Text>
        );
      })}
      {step.commands.map((command, i) => {
        const typed = edits?.commands[i];
        if (typed !== undefined) {
          return (
            <Box key={i} flexDirection="column">
              <Text {...paint('red')}>
                - {command.text} <Text dimColor>(the kata's)</Text>
              </Text>
              <Text {...paint('green')}>
                + {typed} <Text dimColor>(edited)</Text>
              </Text>
            </Box>
          );
        }
        return (
          <Text key={i} {...paint('cyan')}>
            {step.context === 'host' ? '$' : `${step.context} $`} {commands[i] ?? command.text}
          </Text>
        );
      })}
    </Box>
  );
}
