#!/usr/bin/env node
// Scores the plan against the blind katas (test/fixtures/katas/blind/, written with ground truth
// by someone who had not seen the inference rules): for each category, how many of the things a
// careful reader finds the plan gets right, and how many inferred checks are not in the truth.
// Usage: npm run build && node scripts/score-blind.mjs [--verbose]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKata } from '../dist/kata/parse.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test', 'fixtures', 'katas', 'blind');
const verbose = process.argv.includes('--verbose');

const norm = (text) => String(text).toLowerCase().replace(/\s+/g, ' ').trim();
const bareName = (name) => norm(name).replace(/^\$\{?|\}$|^<|>$/g, '');

/** The step a truth line belongs to: the one whose commands include that line, else the nearest step at or before it. */
function stepAt(kata, line) {
  const byCommand = kata.steps.find((s) => s.commands.some((c) => c.line <= line && line < c.line + c.text.split('\n').length));
  if (byCommand !== undefined) return byCommand;
  return [...kata.steps].reverse().find((s) => s.line <= line || s.blockLine <= line);
}
const stepAtFence = (kata, line) => kata.steps.find((s) => s.blockLine === line) ?? stepAt(kata, line);

function checkText(check) {
  if (check.kind === 'contains' || check.kind === 'not-contains') return check.text;
  if (check.kind === 'output-like') return check.expected;
  if (check.kind === 'status') return String(check.code);
  if (check.kind === 'matches') return check.pattern;
  return '';
}

function promiseHit(promise, check) {
  const kinds = {
    contains: ['contains', 'matches', 'output-like'],
    'not-contains': ['not-contains'],
    'output-like': ['output-like', 'contains'],
    status: ['status', 'contains', 'matches'],
  }[promise.kind] ?? [promise.kind];
  if (!kinds.includes(check.kind)) return false;
  const want = norm(promise.text);
  const have = norm(checkText(check));
  if (check.kind === 'output-like' && promise.kind === 'output-like') return true;
  return have !== '' && (have.includes(want) || want.includes(have));
}

const CAPTURE_KINDS = new Set([
  'payload-encrypted',
  'payload-plaintext',
  'payload-contains',
  'payload-not-contains',
  'ephemeral-container',
  'exit',
]);

const totals = {};
const tally = (category, ok, what) => {
  totals[category] ??= { ok: 0, all: 0, misses: [] };
  totals[category].all++;
  if (ok) totals[category].ok++;
  else totals[category].misses.push(what);
};

for (const name of readdirSync(dir)
  .filter((n) => n.endsWith('.md') && n !== 'README.md')
  .sort()) {
  const file = join(dir, name);
  const truth = JSON.parse(readFileSync(file.replace(/\.md$/, '.truth.json'), 'utf8'));
  const kata = loadKata(file);
  const short = name.replace(/\.md$/, '');

  const matchedChecks = new Set();
  for (const promise of truth.promises ?? []) {
    const step = stepAt(kata, promise.step_line);
    const hit = (step?.checks ?? []).find((c) => c.inferred && promiseHit(promise, c));
    if (hit !== undefined) matchedChecks.add(hit);
    tally('promises', hit !== undefined, `${short}:${promise.line} ${promise.kind} "${promise.text}" (step ${step?.id ?? '?'})`);
  }
  for (const step of kata.steps)
    for (const check of step.checks)
      if (check.inferred && !CAPTURE_KINDS.has(check.kind))
        tally(
          'inferred checks in the truth (precision)',
          matchedChecks.has(check),
          `${short}:${check.line} ${check.kind} "${checkText(check)}" on ${step.id}`,
        );

  for (const f of truth.files ?? []) {
    const step = stepAtFence(kata, f.line);
    let ok;
    if (f.kind === 'write') ok = step?.writes !== undefined && norm(step.writes.path).endsWith(norm(f.path));
    else if (f.kind === 'partial')
      ok =
        step !== undefined &&
        !step.run &&
        step.writes === undefined &&
        kata.diagnostics.some((d) => Math.abs(d.line - f.line) <= 12 && /hand/i.test(d.message));
    else ok = step !== undefined && !step.run && step.writes === undefined;
    tally(
      'files',
      ok,
      `${short}:${f.line} ${f.kind} ${f.path} (step ${step?.id ?? '?'}: ${step?.writes?.path ?? step?.shownReason ?? 'runs'})`,
    );
  }

  for (const b of truth.background ?? []) {
    const step = stepAt(kata, b.step_line);
    const bound = step?.bound;
    let ok = step?.background === true && bound !== undefined;
    if (ok && b.stop === 'time') ok = bound.kind === 'for' && bound.ms >= b.ms / 2 && bound.ms <= b.ms * 2;
    else if (ok && b.stop === 'end-of-main')
      ok = bound.kind === 'until' && (bound.step === undefined || kata.steps.find((s) => s.id === bound.step)?.phase === 'cleanup');
    else if (ok) {
      const stopAt = bound.kind === 'until' || bound.kind === 'while' ? kata.steps.find((s) => s.id === bound.step) : undefined;
      const firstAfter = kata.steps.find((s) => s.line > b.stop_line);
      ok =
        (bound.kind === 'until' &&
          (stopAt === undefined ? firstAfter === undefined || firstAfter.phase === 'cleanup' : stopAt === firstAfter)) ||
        (bound.kind === 'while' &&
          stopAt !== undefined &&
          stopAt.line <= b.stop_line &&
          (firstAfter === undefined || stopAt.line < firstAfter.line) &&
          !kata.steps.some((s) => s.run && s.line > stopAt.line && s.line <= b.stop_line));
    }
    tally('background bounds', ok, `${short}:${b.step_line} ${b.stop} until ${b.stop_line} (got ${JSON.stringify(bound ?? null)})`);
  }

  const placeholders = new Set(kata.steps.flatMap((s) => s.placeholders.map((p) => bareName(p.name))));
  for (const p of truth.placeholders ?? [])
    tally(
      'placeholders',
      placeholders.has(bareName(p.name)),
      `${short}:${p.line} ${p.name} (got ${[...placeholders].join(', ') || 'none'})`,
    );

  for (const a of truth.alternatives ?? []) {
    const step = stepAtFence(kata, a.line);
    tally(
      'alternatives',
      step !== undefined && !step.run && /alternative/i.test(step.shownReason ?? ''),
      `${short}:${a.line} (${step?.shownReason ?? 'runs'})`,
    );
  }
  for (const c of truth.conditional ?? []) {
    const step = stepAtFence(kata, c.line);
    tally('conditions', step?.unless !== undefined, `${short}:${c.line} ${c.condition} (${step?.run ? 'runs' : step?.shownReason})`);
  }
  for (const e of truth.editors ?? []) {
    const step = stepAtFence(kata, e.line);
    tally('editors', step?.editor !== undefined && !step.run, `${short}:${e.line} (${step?.shownReason ?? 'runs'})`);
  }
}

for (const [category, t] of Object.entries(totals)) {
  console.log(`${category}: ${t.ok}/${t.all} (${Math.round((100 * t.ok) / t.all)}%)`);
  if (verbose) for (const miss of t.misses) console.log(`  miss: ${miss}`);
}
