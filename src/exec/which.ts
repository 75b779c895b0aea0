/** Is a program installed? The one PATH lookup of kata-runner. */
import { accessSync, constants } from 'node:fs';

/** True when `program` is an executable file in one of the folders of `env.PATH`. */
export function onPath(program: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return (env.PATH ?? '').split(':').some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(`${dir}/${program}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
