/** Is a program installed? The one PATH lookup of kata-runner. */
import { accessSync, constants } from 'node:fs';

/** True when `program` is an executable file in one of the folders of `env.PATH`. */
export function onPath(program: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return which(program, env) !== undefined;
}

/** The path of `program` in the first folder of `env.PATH` that has it as an executable file. */
export function which(program: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(`${dir}/${program}`, constants.X_OK);
      return `${dir}/${program}`;
    } catch {
      // not here
    }
  }
  return undefined;
}
