import { Box, Text } from 'ink';
import { valueProblems } from '../edits.js';
import { fieldsOf, fieldText, type EditorContext, type EditorState } from '../editor-keys.js';
import { useColor } from '../hooks/use-color.js';

export interface Props {
  readonly context: EditorContext;
  readonly state: EditorState;
}

/** Edits a placeholder value or a command before the step runs (keys: editor-keys.ts). */
export function Editor({ context, state }: Props) {
  const paint = useColor();
  const problems = valueProblems(state.draft);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Edit before {context.step.id} runs</Text>
      {fieldsOf(context.step).map((field, i) => {
        const label = field.kind === 'value' ? `<${field.name}>` : `command ${field.index + 1}`;
        const problem = field.kind === 'value' ? problems[field.name] : undefined;
        const here = i === state.selected;
        return (
          <Box key={label} flexDirection="column">
            <Text>
              <Text {...(here ? paint('cyan') : {})} bold={here}>
                {here ? '› ' : '  '}
                {label}:{' '}
              </Text>
              <Text>{fieldText(field, state, context)}</Text>
              {here ? <Text inverse> </Text> : null}
            </Text>
            {problem !== undefined ? <Text {...paint('red')}> cannot be used: {problem}</Text> : null}
          </Box>
        );
      })}
      <Text dimColor>type to change · ↑/↓ or Tab: another field · Ctrl-U: clear · Ctrl-R: the kata's · Enter: keep · Esc: cancel</Text>
    </Box>
  );
}
