// What the benchmarks (run.mjs) and their profiles (profile.mjs) both run: the built command,
// the generated katas and floods, and the lab when it is up.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labPaths } from '../dist/lab/paths.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = join(root, 'dist', 'cli.js');
/** The lab's state folder ($KATA_LAB_DIR, default /var/lib/kata-runner/lab), as `kata lab` finds it. */
export const lab = labPaths();

/** True while the local lab runs (`kata lab status`). */
export function labIsUp() {
  return existsSync(lab.kubeconfig) && spawnSync(process.execPath, [cli, 'lab', 'status'], { stdio: 'ignore' }).status === 0;
}

/** The environment that points kubectl and the runner at the lab. */
export function labEnv() {
  return { ...process.env, KUBECONFIG: lab.kubeconfig, PATH: `${lab.binDir}:${process.env.PATH}` };
}

/** Writes the two floods into `work`: 200 MB of 200-byte lines, and 2 million short lines. Returns [name, file] pairs. */
export function floodFiles(work) {
  const big = join(work, 'big.txt');
  const lines = join(work, 'lines.txt');
  execFileSync('bash', [
    '-c',
    `head -c 200000000 /dev/zero | tr '\\0' 'x' | fold -w 199 > ${big}; seq 1 2000000 | sed 's/^/l/' > ${lines}`,
  ]);
  return [
    ['200 MB', big],
    ['2 million short lines', lines],
  ];
}

/** A one-step kata (id `flood`) that prints `file`; returns its path. */
export function floodKata(work, name, file) {
  const kata = join(work, `flood-${name.replace(/\W+/g, '-')}.md`);
  writeFileSync(kata, `# Flood\n\n<!-- kata: id flood; timeout 10m -->\n\`\`\`console\ncat ${file}\n\`\`\`\n`);
  return kata;
}

/** A host-only kata of `steps` trivial steps, and a bash script of the same commands; returns both paths. */
export function stepsKata(work, steps) {
  let kata = `# ${steps} trivial steps\n\n`;
  let script = '';
  for (let i = 0; i < steps; i++) {
    kata += `\`\`\`console\ntrue ${i}\n\`\`\`\n\n`;
    script += `true ${i}\n`;
  }
  const paths = { kata: join(work, 'steps.md'), script: join(work, 'steps.sh') };
  writeFileSync(paths.kata, kata);
  writeFileSync(paths.script, script);
  return paths;
}
