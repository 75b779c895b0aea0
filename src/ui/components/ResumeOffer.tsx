import { Box, Text } from 'ink';
import { useColor } from '../hooks/use-color.js';
import type { ResumeOffer as Offer } from '../run-view.js';

export interface Props {
  readonly offer: Offer;
}

/** Offers to continue where the learner stopped, and says what changed in the kata since. */
export function ResumeOffer({ offer }: Props) {
  const paint = useColor();
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>
        You stopped this kata at step {offer.at.id} (line {offer.at.line}).
      </Text>
      {offer.replay > 0 ? (
        <Text>
          Continuing runs the {offer.replay} step{offer.replay === 1 ? '' : 's'} you passed again first, without asking, so your shell and
          the cluster are as you left them.
        </Text>
      ) : null}
      {offer.changed.length > 0 ? (
        <Box flexDirection="column">
          <Text {...paint('yellow')}>The kata changed since you stopped:</Text>
          {offer.changed.map((c) => (
            <Text key={c} {...paint('yellow')}>
              {'  • '}
              {c}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
