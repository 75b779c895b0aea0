/**
 * Expected-output blocks ("you should see something like:"): which of the block's lines a run
 * must show, and how a line of real output is compared with them. The block came from the
 * author's cluster on another day, so what varies between runs is not compared: ages and
 * durations, IPs, timestamps, generated pod-name suffixes, node ports, restart counts, column
 * spacing and row order. What is compared:
 *
 * - a table (a header line of upper-case column names, `NAME   READY   STATUS`): its header, as a
 *   header of the output with at least those columns (the output may have more, in any order),
 *   and every row, by its first column (the name, generated suffixes ignored, so `web-7d8b4-x2m4q`
 *   is `web-*`, which `web-v2-*` also matches) and its stable
 *   columns (`READY`, `STATUS`, `TYPE`, `CONTAINERS`, ...; not `AGE`, `RESTARTS`, `IP`, `NODE`, ...);
 *   rows the output has in addition are fine;
 * - any other line, with the varying parts as wildcards; lines of the block that differ in one
 *   word only ("Egon is 40 years.", "Ray is 16 years.") are examples of one kind of line, and one
 *   line of that kind is enough. Lines of punctuation (`{`, `]`) and `...` are skipped;
 * - of a block longer than MAX_EXPECTED_LINES, its first lines.
 */

/** One thing the output must show. */
export type ExpectedItem =
  | {
      readonly kind: 'header';
      /** The line as written. */
      readonly text: string;
      /** 0-based index of the table in the block. */
      readonly table: number;
      readonly columns: readonly string[];
    }
  | {
      readonly kind: 'row';
      readonly text: string;
      readonly table: number;
      /** The cells compared, the name first: column and normalised value. */
      readonly cells: readonly { readonly column: string; readonly value: string }[];
    }
  | {
      readonly kind: 'line';
      readonly text: string;
      /** Regular expression source (JavaScript) a trimmed output line must match. */
      readonly pattern: string;
      /** How many lines of the block are examples of this kind. */
      readonly examples: number;
    };

/**
 * A block longer than this is a log excerpt: its first lines are what is compared (each output
 * line is compared with every item, so the cost stays linear in the output).
 */
export const MAX_EXPECTED_LINES = 100;

/** The items of an expected-output block, in the block's order. */
export function expectedOutput(block: string): ExpectedItem[] {
  const items: ExpectedItem[] = [];
  const lines: Token[][] = [];
  const texts: string[] = [];
  let table: { readonly index: number; readonly header: TableHeader } | undefined;
  let tables = 0;
  let kept = 0;
  for (const raw of block.split('\n', MAX_EXPECTED_LINES * 4)) {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() !== '' && ++kept > MAX_EXPECTED_LINES) break;
    if (line.trim() === '') {
      table = undefined;
      continue;
    }
    const header = tableHeader(line);
    if (header !== undefined) {
      table = { index: tables++, header };
      items.push({ kind: 'header', text: line.trim(), table: table.index, columns: header.columns });
      continue;
    }
    if (table !== undefined) {
      const cells = rowCells(line, table.header);
      if (cells !== undefined) {
        items.push({ kind: 'row', text: line.trim(), table: table.index, cells: stableCells(table.header.columns, cells) });
        continue;
      }
    }
    const tokens = lineTokens(line);
    if (tokens === undefined) continue;
    lines.push(tokens);
    texts.push(line.trim());
  }
  for (const group of groupLines(lines, texts)) items.push(group);
  return items;
}

/** A table's header: its column names and where each starts. */
export interface TableHeader {
  readonly columns: readonly string[];
  readonly starts: readonly number[];
}

const COLUMN = /[A-Z][A-Z0-9_()/.%:-]*(?: [A-Z][A-Z0-9_()/.%:-]*)?/g;
const HEADER_LINE =
  /^\s*[A-Z][A-Z0-9_()/.%:-]*(?: [A-Z][A-Z0-9_()/.%:-]*)?(?:(?:\s{2,}|\t)[A-Z][A-Z0-9_()/.%:-]*(?: [A-Z][A-Z0-9_()/.%:-]*)?)+\s*$/;

/** The header of a table (`NAME   READY   STATUS`), if the line is one. */
export function tableHeader(line: string): TableHeader | undefined {
  if (!HEADER_LINE.test(line)) return undefined;
  const columns: string[] = [];
  const starts: number[] = [];
  for (const match of line.matchAll(COLUMN)) {
    columns.push(match[0]);
    starts.push(match.index);
  }
  return { columns, starts };
}

/** A row's cells under a header: split at runs of spaces, else cut where the header's columns start. */
export function rowCells(line: string, header: TableHeader): string[] | undefined {
  const split = line.trim().split(/\s{2,}|\t/);
  if (split.length === header.columns.length) return split;
  const cut = header.starts.map((start, i) => line.slice(start, header.starts[i + 1] ?? line.length).trim());
  return cut.every((cell) => cell !== '') ? cut : undefined;
}

/** Columns whose values differ from run to run whatever the kata does. */
const VARIABLE_COLUMNS = new Set([
  'AGE',
  'RESTARTS',
  'IP',
  'IPS',
  'CLUSTER-IP',
  'EXTERNAL-IP',
  'INTERNAL-IP',
  'ENDPOINTS',
  'ADDRESS',
  'NODE',
  'NOMINATED NODE',
  'READINESS GATES',
  'LAST SEEN',
  'FIRST SEEN',
  'CREATED',
  'CREATED AT',
  'CONTAINER ID',
  'CONTAINER-ID',
  'UPTIME',
  'DURATION',
  'LABELS',
  'VERSION',
  'KERNEL-VERSION',
  'OS-IMAGE',
  'CONTAINER-RUNTIME',
  'CPU(cores)',
  'MEMORY(bytes)',
  'CPU%',
  'MEMORY%',
  'HOLDER',
]);

const AGE = /^\d+(?:\.\d+)?(?:ms|[smhdy])(?:\d+(?:ms|[smh]))*$/;
const IP = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+|:\d+)?(?:,\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+|:\d+)?)*$/;

function stableCells(columns: readonly string[], cells: readonly string[]): { column: string; value: string }[] {
  const result: { column: string; value: string }[] = [];
  cells.forEach((value, i) => {
    const column = columns[i] as string;
    if (i === 0) result.push({ column, value: normalizedCell(value) });
    else if (!VARIABLE_COLUMNS.has(column) && !AGE.test(value) && !IP.test(value)) result.push({ column, value: normalizedCell(value) });
  });
  return result;
}

/** Kubernetes' generated suffixes use this alphabet (no vowels, no 0, 1 or 3): a pod template hash, then a pod's own. */
const GENERATED = '[bcdfghjklmnpqrstvwxz2456789]';
const POD_SUFFIX = new RegExp(`-${GENERATED}{5,10}-${GENERATED}{5}$|-${GENERATED}{5}$`);

/** A cell as compared: generated name suffixes become `-*`, node ports `:*`. */
export function normalizedCell(value: string): string {
  return value.replace(POD_SUFFIX, '-*').replace(/(\d+):\d+\/(TCP|UDP|SCTP)/g, '$1:*/$2');
}

type Token = { readonly literal: string } | { readonly wild: string };

const TIMESTAMP =
  /^\[?\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\]?,?$|^\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?$/;
const IP_IN = /\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/g;
const NUMBER_IN = /(?<![A-Za-z\d])\d+(?:\.\d+)?(?![A-Za-z\d])/g;
const NAME_IN = new RegExp(`\\b([a-z][a-z0-9]*(?:-[a-z0-9]+)*?)(?:-${GENERATED}{5,10})?-${GENERATED}{5}\\b`, 'g');
const HEX_ID = /^[0-9a-f]{8,}$/;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A free line as tokens, or undefined for a line that says nothing (`{`, `...`). */
function lineTokens(line: string): Token[] | undefined {
  const trimmed = line.trim().replace(/,$/, '');
  if (!/[A-Za-z0-9]/.test(trimmed)) return undefined;
  const words = trimmed.split(/\s+/);
  const tokens: Token[] = [];
  words.forEach((word, i) => {
    if (word === '...' || word === '\u2026') tokens.push({ wild: '.*' });
    else if (TIMESTAMP.test(word) || AGE.test(word.replace(/[,.;)]$/, ''))) tokens.push({ wild: '\\S+' });
    else if (HEX_ID.test(word) && /\d/.test(word) && /[a-f]/.test(word)) tokens.push({ wild: '[0-9a-f]+' });
    else if (/^HTTP\/[\d.]+$/.test(words[i - 1] ?? '') && /^[1-5]\d\d$/.test(word)) tokens.push({ literal: escape(word) });
    else tokens.push({ literal: wordPattern(word) });
  });
  return tokens;
}

/** One word as a pattern: IPs, generated names and numbers inside it vary. */
function wordPattern(word: string): string {
  const parts: string[] = [];
  let rest = word;
  // Mark the varying parts first, then escape what is left around them.
  const marks: string[] = [];
  rest = rest.replace(IP_IN, () => mark(marks, '\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?'));
  rest = rest.replace(NAME_IN, (_m, name: string) => `${name}-${mark(marks, '[a-z0-9]+(?:-[a-z0-9]+)?')}`);
  rest = rest.replace(NUMBER_IN, () => mark(marks, '\\d+(?:\\.\\d+)?'));
  for (const piece of rest.split(/(\u0000[\ue000-\uf8ff]\u0000)/)) {
    const m = /^\u0000([\ue000-\uf8ff])\u0000$/.exec(piece);
    parts.push(m === null ? escape(piece) : (marks[(m[1] as string).charCodeAt(0) - 0xe000] as string));
  }
  return parts.join('');
}

function mark(marks: string[], pattern: string): string {
  // A private-use character names the mark, so the number pattern cannot match inside it.
  marks.push(pattern);
  return `\u0000${String.fromCharCode(0xe000 + marks.length - 1)}\u0000`;
}

function tokenKey(token: Token): string {
  return 'wild' in token ? `~${token.wild}` : token.literal;
}

/** Lines that differ in one word only are examples of one kind of line: one pattern with a wildcard there. */
function groupLines(lines: readonly Token[][], texts: readonly string[]): ExpectedItem[] {
  const groups: { tokens: Token[]; text: string; examples: number; wildcard: number }[] = [];
  lines.forEach((tokens, i) => {
    const key = tokens.map(tokenKey);
    for (const group of groups) {
      if (group.tokens.length !== tokens.length || tokens.length < 2) continue;
      const differ: number[] = [];
      group.tokens.forEach((t, k) => {
        if (k !== group.wildcard && tokenKey(t) !== key[k]) differ.push(k);
      });
      if (differ.length === 0 || (differ.length === 1 && group.wildcard === -1)) {
        if (differ.length === 1) {
          group.wildcard = differ[0] as number;
          group.tokens[group.wildcard] = { wild: '\\S+' };
        }
        group.examples++;
        return;
      }
    }
    groups.push({ tokens: [...tokens], text: texts[i] as string, examples: 1, wildcard: -1 });
  });
  return groups.map((g) => ({
    kind: 'line',
    text: g.text,
    pattern: `^${g.tokens.map((t) => ('wild' in t ? t.wild : t.literal)).join('\\s+')}$`,
    examples: g.examples,
  }));
}

/** How an item is named in a message: the block's line and, for a row, what of it is compared. */
export function describeItem(item: ExpectedItem): string {
  if (item.kind === 'row') return `"${item.text}" (compared: ${item.cells.map((c) => `${c.column} ${c.value}`).join(', ')})`;
  if (item.kind === 'line' && item.examples > 1) return `"${item.text}" (or another line of that kind)`;
  return `"${item.text}"`;
}
