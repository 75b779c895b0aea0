/** Placeholder values: given with --set, or looked up through the cluster; validated before any shell sees them. */
import type { Placeholder, Step } from '../kata/model.js';

/** A Kubernetes object name (RFC 1123 subdomain): the only shape a value may have before it reaches a shell. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Why a placeholder value cannot be used, or undefined when it can. */
export function invalidValue(value: string): string | undefined {
  if (value.length > 253) return 'it is longer than 253 characters';
  if (!K8S_NAME.test(value)) return 'it is not a Kubernetes name (lowercase letters, digits, "-" and ".")';
  return undefined;
}

/** Replaces every `<name>` of the step's placeholders in `text` with its value. */
export function fillPlaceholders(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/(?<!<)<([A-Za-z][^<>\n]*?)>/g, (whole, name: string) => values.get(name.trim()) ?? whole);
}

/** Parses `--set "nginx POD=nginx-abc"` values. */
export function parseSetValues(values: readonly string[]): Map<string, string> | string {
  const map = new Map<string, string>();
  for (const item of values) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) return `--set "${item}" is not NAME=VALUE (e.g. --set "nginx POD=nginx-7d8b49557c-x2m4q")`;
    const name = item.slice(0, eq).trim().replace(/^<|>$/g, '');
    const value = item.slice(eq + 1).trim();
    const problem = invalidValue(value);
    if (problem !== undefined) return `--set "${item}": the value cannot be used because ${problem}`;
    map.set(name, value);
  }
  return map;
}

/** Placeholders of a step that still need a value. */
export function missing(step: Step, values: ReadonlyMap<string, string>): Placeholder[] {
  return step.placeholders.filter((p) => !values.has(p.name));
}
