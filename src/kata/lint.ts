/**
 * `kata lint`: what a kata author should fix before learners (or CI) run the kata. Errors make
 * a run fail or leave things behind; warnings make it guess.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KataError } from '../errors.js';
import { commandNames, isKnownCommand, simpleCommands } from './commands.js';
import { placeholdersIn } from './placeholders.js';
import type { Diagnostic, Kata, Step } from './model.js';
import { HOST } from './model.js';
import { loadKata } from './parse.js';

/** Problems found in one kata, sorted by line. */
export function lintKata(kata: Kata, exists: (path: string) => boolean = existsSync): Diagnostic[] {
  const found: Diagnostic[] = [...kata.diagnostics];
  const base = dirname(kata.file);
  const runSteps = kata.steps.filter((s) => s.run);

  checkPlaceholders(runSteps, found);
  checkFiles(runSteps, base, exists, found);
  checkLinks(kata.steps, base, exists, found);
  checkShells(kata, found);

  for (const step of runSteps) {
    if (step.background && step.bound?.inferred === true) {
      found.push({
        severity: 'warning',
        line: step.line,
        message: `\`${step.commands[0]?.text ?? ''}\` runs until stopped; the runner will stop it ${step.bound.kind === 'for' ? `after ${step.bound.ms / 1000}s` : `when step ${step.bound.step} has run`}, a guess: add \`<!-- kata: background for 10s -->\` or \`<!-- kata: background while STEP_ID -->\``,
      });
    }
  }

  if (!kata.steps.some((s) => s.phase === 'cleanup')) {
    const creator = runSteps.find((s) => s.commands.some((c) => createsObjects(c.text)));
    found.push(
      creator === undefined
        ? {
            severity: 'warning',
            line: 1,
            message: 'the kata has no Cleanup section; add a `# Cleanup` heading with the commands that undo it',
          }
        : {
            severity: 'error',
            line: creator.line,
            message:
              'this step creates cluster objects but the kata has no Cleanup section, so they would be left behind; add a `# Cleanup` heading with the delete commands',
          },
    );
  }

  checkProseOnlyCommands(kata.steps, found);
  return found.sort((a, b) => a.line - b.line);
}

/** `<nginx POD>` needs an earlier command that creates app nginx; free-form placeholders need `--set`. */
function checkPlaceholders(steps: readonly Step[], found: Diagnostic[]): void {
  const reported = new Set<string>();
  // What the earlier commands create, gathered as they pass: looking through every earlier command
  // again for each placeholder was quadratic (minutes for a few thousand).
  const apps = new Set<string>();
  let manifests = false;
  for (const step of steps) {
    for (const command of step.commands) {
      for (const p of placeholdersIn(command.text)) {
        if (reported.has(p.name)) continue;
        reported.add(p.name);
        if (p.podOfApp === undefined) {
          found.push({
            severity: 'warning',
            line: command.line,
            message: `the runner cannot look up <${p.name}>; learners and CI must give it with --set "${p.name}=VALUE"`,
          });
          continue;
        }
        const app = p.podOfApp;
        if (!manifests && !apps.has(app)) {
          found.push({
            severity: 'error',
            line: command.line,
            message: `<${p.name}> stands for a pod of app ${app}, but no earlier step creates one (e.g. \`kubectl create deploy ${app} --image ...\`)`,
          });
        }
      }
      for (const words of simpleCommands(command.text)) {
        if (createsApps(words)) for (const word of words) apps.add(word);
        manifests ||= appliesManifests(words);
      }
      manifests ||= /\bhelm\s+(install|upgrade)\b/.test(command.text);
    }
  }
}

/** `kubectl create deploy NAME` or `kubectl run NAME`: any of its words may be the app. */
function createsApps(words: readonly string[]): boolean {
  return (
    words[0] === 'kubectl' &&
    ((words.includes('create') && (words.includes('deploy') || words.includes('deployment'))) || words.includes('run'))
  );
}

/** `kubectl apply -f x`, `create -k dir`: objects the runner cannot see into, so any app may be among them. */
function appliesManifests(words: readonly string[]): boolean {
  const verb = words.findIndex((w) => w === 'apply' || w === 'create');
  return verb !== -1 && words.slice(verb + 1).some((w) => w === '-f' || w === '-k');
}

function createsObjects(text: string): boolean {
  return (
    simpleCommands(text).some((w) => w[0] === 'kubectl' && ['create', 'apply', 'run', 'expose'].some((verb) => w.includes(verb))) ||
    /\bhelm\s+install\b/.test(text)
  );
}

/** Relative paths in host commands must exist next to the kata, unless an earlier command writes them. */
function checkFiles(steps: readonly Step[], base: string, exists: (path: string) => boolean, found: Diagnostic[]): void {
  const written = new Set<string>();
  // Once the host shell leaves the kata's folder for one we cannot know (`cd "$WORKDIR"`), relative paths are not the kata's any more.
  let elsewhere = false;
  for (const step of steps) {
    for (const command of step.commands) {
      for (const words of simpleCommands(command.text)) {
        if (step.context === HOST && words[0] === 'cd')
          elsewhere = elsewhere || words[1] === undefined || !/^[\w./-]+$/.test(words[1]) || words[1].startsWith('/');
        if (step.context === HOST && !elsewhere) {
          for (const path of pathArguments(words)) {
            if (written.has(path)) continue;
            const dir = path.includes('*') ? path.slice(0, path.indexOf('*')).replace(/[^/]*$/, '') : path;
            if (dir !== '' && !exists(resolve(base, dir))) {
              found.push({
                severity: 'error',
                line: command.line,
                message: `\`${path}\` does not exist next to the kata (looked in ${base}/); add it or fix the path`,
              });
            }
          }
        }
        for (const out of writtenPaths(words)) written.add(out);
      }
    }
  }
}

const FILE_READERS = new Set([
  'cat',
  'source',
  '.',
  'bash',
  'sh',
  'less',
  'more',
  'head',
  'tail',
  'diff',
  'python',
  'python3',
  'node',
  'envsubst',
]);
const KUBECTL_FILE_FLAGS = new Set(['-f', '--filename', '-k', '--kustomize', '--from-file', '--from-env-file']);

/** Arguments that name files of the kata: scripts run by path, `kubectl -f/-k` values, files given to cat & co. */
function pathArguments(words: readonly string[]): string[] {
  const candidates: string[] = [];
  const head = words[0] ?? '';
  if (head.includes('/')) candidates.push(head);
  words.forEach((word, i) => {
    if (i === 0) return;
    if (head === 'kubectl') {
      const eq = word.indexOf('=');
      const flag = eq === -1 ? word : word.slice(0, eq);
      if (!KUBECTL_FILE_FLAGS.has(flag)) return;
      const value = eq === -1 ? words[i + 1] : word.slice(word.lastIndexOf('=') + 1);
      if (value !== undefined) candidates.push(value);
    } else if (FILE_READERS.has(head) && !word.startsWith('-')) candidates.push(word);
  });
  return candidates.filter((path) => path !== '-' && !/^(\/|~|\$|[a-z]+:)/i.test(path) && !/[{}'"$<>|@]/.test(path));
}

/** Files an earlier command creates (`-out x`, `-keyout x`, `> x`, `touch x`, `mkdir x`). */
function writtenPaths(words: readonly string[]): string[] {
  const out: string[] = [];
  words.forEach((word, i) => {
    const next = words[i + 1];
    if (next !== undefined && ['-out', '-keyout', '-o', '--output', '>', '>>'].includes(word)) out.push(next);
    if ((words[0] === 'touch' || words[0] === 'mkdir' || words[0] === 'git') && i > 0 && !word.startsWith('-')) out.push(word);
    // `cp first-steps/serve.mjs "$DIR"/`: later commands name the copy by its file name.
    if ((words[0] === 'cp' || words[0] === 'mv') && i > 0 && i < words.length - 1 && !word.startsWith('-'))
      out.push(word.split('/').pop() ?? word);
  });
  return out;
}

/** Links and images in prose that point to files missing next to the kata. */
function checkLinks(steps: readonly Step[], base: string, exists: (path: string) => boolean, found: Diagnostic[]): void {
  for (const step of steps) {
    step.prose.split('\n').forEach((line, k) => {
      // No brackets in the text and no parentheses in the target: with them, a line of `[a](`
      // repeated made each match scan to the end of the line (quadratic).
      for (const match of line.matchAll(/!?\[[^[\]]*\]\(([^()\s]+)\)/g)) {
        const target = (match[1] as string).replace(/#.*$/, '');
        if (target === '' || /^[a-z]+:/i.test(target) || target.startsWith('/')) continue;
        if (!exists(resolve(base, target))) {
          found.push({
            severity: 'warning',
            line: step.proseLine + k,
            message: `the ${match[0].startsWith('!') ? 'image' : 'link'} \`${target}\` does not exist next to the kata`,
          });
        }
      }
    });
  }
}

/** A shell opened twice is reused silently; say so. */
function checkShells(kata: Kata, found: Diagnostic[]): void {
  const openers = kata.steps.filter((s) => s.run && s.opens !== undefined);
  const seen = new Map<string, number>();
  for (const step of openers) {
    const first = seen.get(step.opens as string);
    if (first !== undefined) {
      found.push({
        severity: 'warning',
        line: step.line,
        message: `this opens the shell "${step.opens}" again (first opened at line ${first}); the runner reuses one shell, name them apart with \`<!-- kata: as NAME -->\` if they are different`,
      });
    } else seen.set(step.opens as string, step.line);
  }
}

/** "Execute `kubectl get pods` and observe ...": a command the runner will never run. */
function checkProseOnlyCommands(steps: readonly Step[], found: Diagnostic[]): void {
  const inBlocks = new Set(steps.flatMap((s) => s.commands.map((c) => c.text.replace(/\s+/g, ' '))));
  for (const step of steps) {
    step.prose.split('\n').forEach((line, k) => {
      for (const match of line.matchAll(/\b(?:execute|run|type|enter|issue|use)\s+(?:the\s+(?:command\s+)?)?`([^`]+)`/gi)) {
        const command = (match[1] as string).trim();
        if (!command.includes(' ') || !isKnownCommand(command) || inBlocks.has(command.replace(/\s+/g, ' '))) continue;
        if (commandNames(command).length === 0) continue;
        found.push({
          severity: 'warning',
          line: step.proseLine + k,
          message: `\`${command}\` is only mentioned in the prose, so the runner will not run it; put it in a code block of its own`,
        });
      }
    });
  }
}

/** Lints files and renders the report; a kata that does not parse is one error. */
export function lintFiles(files: readonly string[], exists: (path: string) => boolean = existsSync): { text: string; errors: number } {
  let text = '';
  let errors = 0;
  for (const file of files) {
    let problems: Diagnostic[];
    try {
      problems = lintKata(loadKata(file), exists);
    } catch (error) {
      if (!(error instanceof KataError)) throw error;
      problems = [
        { severity: 'error', line: error.line ?? 0, message: `${error.message}${error.hint === undefined ? '' : `. ${error.hint}`}` },
      ];
    }
    for (const p of problems) text += `${file}${p.line > 0 ? `:${p.line}` : ''}: ${p.severity}: ${p.message}\n`;
    const e = problems.filter((p) => p.severity === 'error').length;
    const w = problems.length - e;
    errors += e;
    text += problems.length === 0 ? `${file}: ok\n` : `${file}: ${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}\n`;
  }
  return { text, errors };
}
