import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { useColor } from '../hooks/use-color.js';
import { proseBlocks } from '../markdown.js';

export interface Props {
  /** The Markdown that introduces the step. */
  readonly markdown: string;
  /** At most this many blocks (paragraphs, items); the rest is cut with a note. */
  readonly maxBlocks?: number;
}

/** A step's prose, rendered from its Markdown. */
export function Prose({ markdown, maxBlocks = Number.POSITIVE_INFINITY }: Props) {
  const paint = useColor();
  const blocks = useMemo(() => proseBlocks(markdown), [markdown]);
  const shown = blocks.slice(0, maxBlocks);
  return (
    <Box flexDirection="column">
      {shown.map((block, i) => (
        <Box key={i} marginLeft={block.indent} {...(i > 0 && (block.kind === 'heading' || block.prefix === '') ? { marginTop: 1 } : {})}>
          {block.quote > 0 ? <Text dimColor>{'│ '.repeat(block.quote)}</Text> : null}
          {block.prefix !== '' ? <Text>{block.prefix}</Text> : null}
          <Text>
            {block.spans.map((span, j) => (
              <Text
                key={j}
                bold={span.bold === true}
                italic={span.italic === true}
                dimColor={span.dim === true}
                underline={span.link === true}
                {...(span.code ? paint('yellow') : {})}
              >
                {span.code && !paint('yellow').color ? `\`${span.text}\`` : span.text}
              </Text>
            ))}
          </Text>
        </Box>
      ))}
      {blocks.length > shown.length ? <Text dimColor>… (more text in the kata)</Text> : null}
    </Box>
  );
}
