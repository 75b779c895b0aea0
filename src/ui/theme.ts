/** Colours, or none: NO_COLOR (https://no-color.org) turns every colour off; marks never rely on colour alone. */
import { createContext } from 'react';

export interface Theme {
  readonly color: boolean;
}

/** True unless NO_COLOR is set to something non-empty. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

export const ThemeContext = createContext<Theme>({ color: colorWanted() });
