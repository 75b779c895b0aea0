/**
 * Placeholders, the one place that knows their syntax: `<nginx POD>` (a pod of app nginx, looked
 * up through the cluster), `<anything else>` (a value given with --set); how they are found in a
 * text, how values are checked before any shell sees them, and how a text is filled.
 */
import type { Placeholder } from './model.js';

/** A placeholder as written: `<nginx POD>`; never a heredoc (`<<EOF`). */
const PLACEHOLDER = /(?<!<)<([A-Za-z][^<>\n]*?)>/g;

/** `nginx POD` (the name inside the brackets): a pod of the app `nginx`. */
const POD_OF_APP = /^([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)\s+pod$/i;

/** A Kubernetes object name (RFC 1123 subdomain): the only shape a value may have before it reaches a shell. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** HTML a command writes (`echo '<h1>Hi</h1>'`) is not a placeholder. */
const HTML_TAGS = new Set(
  'a b i p br hr em h1 h2 h3 h4 h5 h6 li ol ul dl dt dd tr td th div pre code span html head body title meta link table tbody thead strong script style form input button img'.split(
    ' ',
  ),
);

/** The app of a `<APP POD>` placeholder's name (`nginx POD` -> `nginx`), else undefined. */
export function podOfApp(name: string): string | undefined {
  return POD_OF_APP.exec(name.trim())?.[1];
}

/** The placeholder's name when `text` is exactly one placeholder (`<nginx POD>` -> `nginx POD`). */
export function wholePlaceholder(text: string): string | undefined {
  const match = /^<([A-Za-z][^<>\n]*?)>$/.exec(text);
  return match === null ? undefined : (match[1] as string).trim();
}

/** The placeholders in a text, in order of first appearance, without duplicates. */
export function placeholdersIn(text: string): Placeholder[] {
  const seen = new Map<string, Placeholder>();
  // The `</name>` closing tags of the text, gathered once: looking for each name's in the whole
  // text made a block of many placeholders quadratic.
  let closing: Set<string> | undefined;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const raw = match[1] as string;
    const name = raw.trim();
    if (seen.has(name)) continue;
    // `sort <in.txt >out.txt` redirects (a space before the `>`); `#include <stdio.h>` is C.
    if (raw !== raw.trimEnd() || isInclude(text, match.index)) continue;
    closing ??= new Set(Array.from(text.matchAll(/<\/([^<>\n]*)>/g), (m) => m[1] as string));
    if (HTML_TAGS.has(name.toLowerCase()) || closing.has(name)) continue;
    const app = podOfApp(name);
    seen.set(name, app === undefined ? { name } : { name, podOfApp: app });
  }
  return [...seen.values()];
}

function isInclude(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^\s*#\s*(?:include|import)\s*$/.test(text.slice(lineStart, at));
}

/** Replaces every `<name>` in `text` that has a value; the others stay as written. */
export function fillPlaceholders(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values.get(name.trim()) ?? whole);
}

/** Why a placeholder value cannot be used, or undefined when it can. */
export function invalidValue(value: string): string | undefined {
  if (value.length > 253) return 'it is longer than 253 characters';
  if (!K8S_NAME.test(value)) return 'it is not a Kubernetes name (lowercase letters, digits, "-" and ".")';
  return undefined;
}

/** Parses `--set "nginx POD=nginx-abc"` values; a string says what is wrong. */
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
