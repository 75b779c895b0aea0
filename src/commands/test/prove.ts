/**
 * `kata test --prove`: every check on a command's output or on the cluster (not `expect exit`)
 * of a step that passed is shown able to fail, or reported as proving nothing.
 *
 * 1. Before each earlier step that changes something (a step that is not read-only: src/kata/
 *    read-only.ts), the check is evaluated again at that point through the engine's probe: an
 *    API check read then; an output check by running its step's commands again in the step's
 *    shell, when every one of them only reads, its shell is open and its pods are there. Failing
 *    at one of these points proves the check.
 * 2. A check that held at every such point proves nothing when the first of them was the first
 *    point at which it could be evaluated at all: for a step in the host's shell that is before
 *    the kata's first step (or as soon as the pods it names exist), for an API check as soon as
 *    its pod exists. A step in a shell the kata opened in a pod can only run after that shell is
 *    open, which may be after what it depends on: holding there decides nothing (3. then).
 * 3. Otherwise the check is judged on a broken copy of the output its step produced
 *    (src/checks/broken-output.ts: the expected text removed); it proves nothing when it holds
 *    there too. An API check with no earlier point is "not proven", a note.
 */
import { breakOutput, judgeBroken } from '../../checks/broken-output.js';
import type { CheckResult } from '../../checks/output-checks.js';
import { describeCheck } from '../../kata/describe.js';
import { HOST, type Check, type Kata, type Step } from '../../kata/model.js';
import { isReadOnly } from '../../kata/read-only.js';
import type { CheckProof } from '../../report/suite.js';
import type { EngineEvent } from '../../run/events.js';
import type { Probe } from '../../run/probe.js';

/** A step's output is kept for its broken copy up to this much; a step that printed more is judged by its probes only. */
const MAX_KEPT_LINES = 20_000;
const MAX_KEPT_CHARS = 4_000_000;

/** What the probes found for one check so far. */
interface Trail {
  proven?: string;
  /** Points at which it held, as `before step ID (line N)`. */
  held: string[];
  /** It was evaluated at the first point at which it could be at all (rule 2). */
  conclusive: boolean;
  /** Why it could not be evaluated at some point. */
  notHere?: string;
}

/** What a step did in the run, as its events told. */
interface Ran {
  lines: string[];
  chars: number;
  overflow: boolean;
  passed?: { lines: readonly string[] | undefined; exitCode: number | undefined };
}

/** True for the checks `--prove` is about: on the output or on the cluster. */
export function provable(check: Check): boolean {
  return check.kind !== 'exit';
}

/** True when a step's commands can be run again at an earlier point (rule 1). */
export function rerunnable(step: Step): boolean {
  return (
    step.run && !step.background && step.opens === undefined && step.commands.length > 0 && step.commands.every((c) => isReadOnly(c.text))
  );
}

/** True when a step changes something: the points before such steps are where checks are evaluated again. */
export function changesSomething(step: Step): boolean {
  return step.run && !rerunnable(step);
}

export class Prover {
  private readonly trails = new Map<Check, Trail>();
  private readonly ran = new Map<string, Ran>();
  private readonly main: readonly Step[];
  /** The probe points so far, so a later step knows whether it missed the first ones for want of a pod only. */
  private readonly waiting = new Map<string, 'pod' | 'other'>();

  constructor(private readonly kata: Kata) {
    this.main = kata.steps.filter((s) => s.phase === 'main' && s.run);
    for (const step of kata.steps)
      for (const check of step.checks) if (step.run && provable(check)) this.trails.set(check, { held: [], conclusive: false });
  }

  /** Hears the run's events: each step's output (of its first run that passed) and how it ended. */
  on(event: EngineEvent): void {
    if (event.type === 'step-started') {
      const ran = this.ran.get(event.step.id);
      if (ran?.passed === undefined) this.ran.set(event.step.id, { lines: [], chars: 0, overflow: false });
    } else if (event.type === 'output') {
      const ran = this.ran.get(event.step.id);
      if (ran === undefined || ran.passed !== undefined || ran.overflow) return;
      for (const line of event.lines) ran.chars += line.length + 1;
      ran.lines.push(...event.lines);
      if (ran.lines.length > MAX_KEPT_LINES || ran.chars > MAX_KEPT_CHARS) {
        ran.overflow = true;
        ran.lines = [];
      }
    } else if (event.type === 'step-ended' && event.status === 'passed') {
      const ran = this.ran.get(event.step.id);
      if (ran !== undefined && ran.passed === undefined)
        ran.passed = { lines: ran.overflow ? undefined : ran.lines, exitCode: event.exitCode };
    }
  }

  /** The engine's `beforeStep`: before a step that changes something, the later steps' checks are evaluated again. */
  readonly beforeStep = async (step: Step, probe: Probe): Promise<void> => {
    if (!changesSomething(step)) return;
    const index = this.main.indexOf(step);
    const point = `before step ${step.id} (line ${step.line})`;
    for (const later of this.main.slice(index + 1)) {
      const open = later.checks.filter((c) => this.trails.get(c)?.proven === undefined && this.trails.has(c));
      const runCommands = rerunnable(later) && open.some((c) => c.kind !== 'ephemeral-container');
      const api = open.some((c) => c.kind === 'ephemeral-container');
      if (!runCommands && !api) continue;
      const found = await probe(later, runCommands);
      if (!found.ran) {
        if (found.waitingFor === 'stop') return;
        for (const check of open) (this.trails.get(check) as Trail).notHere ??= `${point}: ${found.why}`;
        if (!this.waiting.has(later.id) || found.waitingFor !== 'pod')
          this.waiting.set(later.id, found.waitingFor === 'pod' ? 'pod' : 'other');
        continue;
      }
      // The first point it was evaluated at is the first it could be, when all it lacked before was its pods.
      const first = this.waiting.get(later.id) !== 'other';
      this.waiting.set(later.id, 'other');
      for (const result of found.results) this.record(later, result, point, first);
    }
  };

  private record(step: Step, result: CheckResult, point: string, first: boolean): void {
    const trail = this.trails.get(result.check);
    if (trail === undefined || trail.proven !== undefined) return;
    if (!result.passed) {
      trail.proven = `failed when evaluated ${point}: ${result.detail}`;
      return;
    }
    if (trail.held.length === 0 && first && (step.context === HOST || result.check.kind === 'ephemeral-container')) trail.conclusive = true;
    trail.held.push(point);
  }

  /** The verdict on every provable check of a step that passed, in the kata's order. */
  proofs(): CheckProof[] {
    const proofs: CheckProof[] = [];
    for (const step of this.kata.steps) {
      const passed = this.ran.get(step.id)?.passed;
      if (passed === undefined) continue;
      for (const check of step.checks) {
        const trail = this.trails.get(check);
        if (trail === undefined) continue;
        proofs.push({ step: step.id, line: check.line, check: describeCheck(check), ...this.verdict(check, trail, passed) });
      }
    }
    return proofs;
  }

  private verdict(check: Check, trail: Trail, passed: NonNullable<Ran['passed']>): Pick<CheckProof, 'verdict' | 'how'> {
    if (trail.proven !== undefined) return { verdict: 'proven', how: trail.proven };
    const held = trail.held.length === 0 ? '' : `it held when evaluated ${trail.held.join(', ')}`;
    if (trail.conclusive)
      return {
        verdict: 'proves-nothing',
        how: `${held}, from the first point at which it could be evaluated: it holds whatever the kata did before it`,
      };
    const broken = passed.lines === undefined ? undefined : breakOutput(check, passed.lines);
    if (broken === undefined) {
      const why =
        passed.lines === undefined ? 'its output was too large to keep' : (trail.notHere ?? 'there was no earlier point to evaluate it at');
      return { verdict: 'not-proven', how: held === '' ? why : `${held}; ${why}` };
    }
    const result = judgeBroken(check, broken, passed.exitCode);
    if (result === undefined || result.passed)
      return { verdict: 'proves-nothing', how: `it still held on its output ${broken.how}${held === '' ? '' : `; ${held}`}` };
    return {
      verdict: 'proven',
      how: `failed on its output ${broken.how}${held === '' ? '' : ` (${held}, where it may already have been true)`}`,
    };
  }
}
