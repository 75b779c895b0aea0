import { useContext } from 'react';
import { ThemeContext } from '../theme.js';

/** Ink's `color` prop, or nothing when colours are off: spread it, `<Text {...paint('green')}>`. */
export function useColor(): (color: string) => { color?: string } {
  const { color } = useContext(ThemeContext);
  return (name) => (color ? { color: name } : {});
}
