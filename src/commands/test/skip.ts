/**
 * Why a kata cannot be tested on this cluster, decided before it runs: it needs a mesh the cluster
 * lacks, or it applies a file that is not next to it. Such a kata is skipped with the reason,
 * not failed: its text is not wrong, the place it runs in lacks something.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Kata } from '../../kata/model.js';
import type { Platform } from '../../k8s/platform.js';

/** `kubectl [flags] apply|create|replace ...` up to the end of the command (a pipe, `;`, `&&`). */
const APPLY = /\bkubectl\b[^|;&\n]*?\s(?:apply|create|replace)\b([^|;&\n]*)/g;

/** The files a command gives kubectl with `-f`/`--filename` (not `-` for stdin, not a URL). */
export function appliedFiles(command: string): string[] {
  const files: string[] = [];
  for (const match of command.matchAll(APPLY)) {
    const words = (match[1] ?? '').trim().split(/\s+/);
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      let file: string | undefined;
      if (word === '-f' || word === '--filename') file = words[i + 1];
      else if (word.startsWith('--filename=')) file = word.slice('--filename='.length);
      else if (/^-f[^-\s]/.test(word)) file = word.slice(2);
      if (file === undefined || file === '-' || /^[a-z]+:\/\//i.test(file) || /[<$`*]/.test(file)) continue;
      files.push(file.replace(/^(['"])(.*)\1$/, '$2'));
    }
  }
  return files;
}

/** Why the kata is skipped on this platform, or undefined when it can run. */
export function skipReason(kata: Kata, platform: Platform): string | undefined {
  const run = kata.steps.filter((s) => s.run);
  const meshStep = run.find((s) => s.needs.includes('mesh'));
  if (meshStep !== undefined && platform.mesh === undefined)
    return `needs a service mesh (line ${meshStep.line}${meshStep.needsInferred === undefined ? '' : `: ${meshStep.needsInferred}`}), and the cluster has none`;
  const folder = dirname(resolve(kata.file));
  for (const step of run) {
    for (const command of step.commands) {
      const missing = appliedFiles(command.text).find((file) => !existsSync(isAbsolute(file) ? file : resolve(folder, file)));
      if (missing !== undefined) return `applies ${missing} (line ${command.line}), which is not next to the kata`;
    }
  }
  return undefined;
}
