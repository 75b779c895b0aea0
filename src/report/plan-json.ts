/**
 * `kata plan --json`: the plan as a public, versioned document that CI tools read.
 * The shape is documented in the README; add fields freely, never rename or remove one
 * without bumping `schema`.
 */
import { describeCheck } from '../kata/describe.js';
import type { Kata } from '../kata/model.js';
import { omitUndefined } from '../omit-undefined.js';

export const PLAN_SCHEMA = 1;

/** The JSON document of a plan (see README "Plan JSON"). */
export function planJson(kata: Kata): unknown {
  const placeholders = new Map<string, { name: string; podOfApp?: string }>();
  for (const step of kata.steps) for (const p of step.placeholders) if (!placeholders.has(p.name)) placeholders.set(p.name, { ...p });
  return {
    schema: PLAN_SCHEMA,
    file: kata.file,
    title: kata.title,
    contexts: kata.contexts.map((c) => ({
      name: c.name,
      openedBy: c.openedBy,
      kind: c.opener.kind,
      target: c.opener.target,
      shell: c.opener.shell,
      ...omitUndefined({ image: c.opener.image, container: c.opener.container }),
    })),
    placeholders: [...placeholders.values()],
    steps: kata.steps.map((s) => ({
      id: s.id,
      line: s.line,
      section: s.section,
      phase: s.phase,
      run: s.run,
      ...omitUndefined({ shownReason: s.shownReason }),
      context: s.context,
      contextReason: s.contextReason,
      ...omitUndefined({ opens: s.opens }),
      commands: s.commands.map((c) => c.text),
      background: s.background,
      ...(s.bound === undefined
        ? {}
        : {
            bound:
              s.bound.kind === 'for'
                ? { kind: 'for', seconds: s.bound.ms / 1000, inferred: s.bound.inferred }
                : { kind: 'while', step: s.bound.step, inferred: s.bound.inferred },
          }),
      ...(s.timeoutMs === undefined ? {} : { timeoutSeconds: s.timeoutMs / 1000 }),
      ...(s.retryMs === undefined ? {} : { retrySeconds: s.retryMs / 1000 }),
      ...omitUndefined({ retryInferred: s.retryInferred, rerunOf: s.rerunOf }),
      needs: s.needs,
      ...omitUndefined({ needsInferred: s.needsInferred }),
      placeholders: s.placeholders.map((p) => p.name),
      checks: s.checks.map((c) => ({
        kind: c.kind,
        description: describeCheck(c),
        inferred: c.inferred,
        line: c.line,
        ...omitUndefined({ because: c.because }),
      })),
    })),
    diagnostics: kata.diagnostics,
  };
}
