/** `kata plan`: the plan as a person reads it, one block per step, cleanup last. */
import { describeBound, describeCheck, formatDuration } from '../kata/describe.js';
import type { Kata, Step } from '../kata/model.js';

const COMMAND_WIDTH = 100;

/** Renders the plan as plain text lines (no colours: it is meant to be piped and diffed too). */
export function planText(kata: Kata): string {
  const run = kata.steps.filter((s) => s.run).length;
  const out: string[] = [kata.title, `${kata.file} · ${kata.steps.length} steps (${run} run, ${kata.steps.length - run} shown only)`];
  if (kata.contexts.length > 0) {
    out.push('', 'Shells the kata opens:');
    for (const c of kata.contexts) {
      const how =
        c.opener.kind === 'debug'
          ? `ephemeral container (${c.opener.image ?? 'default image'}) in ${c.opener.target}`
          : c.opener.kind === 'run'
            ? `new pod ${c.opener.target} (${c.opener.image ?? '?'})`
            : `exec into ${c.opener.target}`;
      out.push(`  ${c.name.padEnd(14)} ${how}, ${c.opener.shell}; opened by ${c.openedBy}`);
    }
  }
  // A loop, not Math.max(...spread): a spread of 130,000 steps overflows the call stack.
  let width = 4;
  let ctxWidth = 4;
  for (const step of kata.steps) {
    width = Math.max(width, step.id.length);
    ctxWidth = Math.max(ctxWidth, step.context.length);
  }
  let phase = '';
  for (const step of kata.steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      out.push('', phase === 'main' ? 'Steps' : 'Cleanup (always runs, also after a failure)');
    }
    for (const line of stepLines(step, width, ctxWidth)) out.push(line); // a step may have 100,000 lines: no spread
  }
  if (!kata.steps.some((s) => s.phase === 'cleanup')) out.push('', 'Cleanup: none (the kata has no Cleanup section)');
  if (kata.diagnostics.length > 0) {
    out.push('', 'Notes:');
    for (const d of kata.diagnostics) out.push(`  ${kata.file}:${d.line}: ${d.severity}: ${d.message}`);
  }
  return `${out.join('\n')}\n`;
}

function stepLines(step: Step, width: number, ctxWidth: number): string[] {
  const head = `  ${step.id.padEnd(width)} L${String(step.line).padEnd(5)}`;
  const indent = ' '.repeat(head.length + ctxWidth + 2);
  if (!step.run) {
    const what = step.commands.length > 0 ? step.commands.map((c) => clip(c.text)).join('; ') : firstLine(step.code);
    return [`${head}${'-'.padEnd(ctxWidth)}  (shown, not run: ${step.shownReason ?? 'shown'}) ${what}`];
  }
  const lines: string[] = [];
  step.commands.forEach((c, i) => {
    const commandLines = c.text.split('\n');
    commandLines.forEach((text, j) => {
      const prefix = i === 0 && j === 0 ? `${head}${step.context.padEnd(ctxWidth)}  ` : indent;
      lines.push(`${prefix}${j === 0 ? '$ ' : '  '}${clip(text)}`);
    });
  });
  if (step.opens !== undefined) lines.push(`${indent}-> opens shell "${step.opens}"`);
  if (step.background && step.bound !== undefined)
    lines.push(`${indent}background, stopped ${describeBound(step.bound)}${step.bound.inferred ? ' (inferred)' : ''}`);
  if (step.timeoutMs !== undefined) lines.push(`${indent}timeout ${formatDuration(step.timeoutMs)}`);
  if (step.rerunOf !== undefined) lines.push(`${indent}re-run of ${step.rerunOf} (inferred from line ${step.line})`);
  if (step.retryMs !== undefined)
    lines.push(
      `${indent}retried until its checks pass, for up to ${formatDuration(step.retryMs)}${step.retryInferred === undefined ? '' : ` (inferred: ${step.retryInferred})`}`,
    );
  if (step.needs.length > 0)
    lines.push(
      `${indent}needs ${step.needs.join(', ')} (skipped without it${step.needsInferred === undefined ? '' : `; inferred: ${step.needsInferred}`})`,
    );
  for (const p of step.placeholders)
    lines.push(
      `${indent}placeholder <${p.name}>${p.podOfApp === undefined ? ' (give it with --set)' : `: a Ready pod of app ${p.podOfApp}`}`,
    );
  for (const check of step.checks)
    lines.push(
      `${indent}check: ${describeCheck(check)}${check.inferred ? ` (inferred from line ${check.line}${check.because === undefined ? '' : `: ${JSON.stringify(check.because)}`})` : ''}`,
    );
  return lines;
}

function clip(text: string): string {
  return text.length > COMMAND_WIDTH ? `${text.slice(0, COMMAND_WIDTH - 3)}...` : text;
}

function firstLine(code: string): string {
  return clip(
    code
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '',
  );
}
