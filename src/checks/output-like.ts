/**
 * `output-like`: does what a step printed look like the kata's expected-output block? The block
 * says which lines must be seen (src/kata/expected-output.ts); here the output streams past them
 * one line at a time, so memory stays bounded by the block, not by the output.
 */
import {
  describeItem,
  expectedOutput,
  normalizedCell,
  rowCells,
  tableHeader,
  type ExpectedItem,
  type TableHeader,
} from '../kata/expected-output.js';

/** The verdict, in words. */
export interface LikeVerdict {
  readonly passed: boolean;
  readonly detail: string;
}

/** Compares output lines with an expected-output block as they arrive. */
export class OutputLike {
  private readonly items: readonly ExpectedItem[];
  private readonly seen: boolean[];
  private readonly patterns: (RegExp | undefined)[];
  /** The table of the output the current line belongs to (after a header line, until a blank line). */
  private table: TableHeader | undefined;
  /** For each table of the block: whether the current output table has its columns. */
  private tableFits: boolean[] = [];

  constructor(expected: string) {
    this.items = expectedOutput(expected);
    this.seen = this.items.map(() => false);
    this.patterns = this.items.map((item) => (item.kind === 'line' ? new RegExp(item.pattern) : undefined));
  }

  feed(line: string): void {
    const trimmed = line.trim().replace(/,$/, '');
    if (trimmed === '') {
      this.table = undefined;
      return;
    }
    const header = tableHeader(line);
    if (header !== undefined) {
      this.table = header;
      this.tableFits = [];
      this.items.forEach((item, i) => {
        if (item.kind !== 'header') return;
        const fits = item.columns.every((c) => header.columns.includes(c));
        this.tableFits[item.table] = fits;
        if (fits) this.seen[i] = true;
      });
      return;
    }
    const table = this.table;
    const cells = table === undefined ? undefined : rowCells(line, table);
    this.items.forEach((item, i) => {
      if (this.seen[i] === true) return;
      if (item.kind === 'line') {
        if ((this.patterns[i] as RegExp).test(trimmed)) this.seen[i] = true;
        return;
      }
      if (item.kind !== 'row' || table === undefined || cells === undefined || this.tableFits[item.table] !== true) return;
      const matches = item.cells.every((cell, c) => {
        const k = table.columns.indexOf(cell.column);
        if (k === -1) return false;
        const value = normalizedCell(cells[k] ?? '');
        return value === cell.value || (c === 0 && sameWorkload(cell.value, value));
      });
      if (matches) this.seen[i] = true;
    });
  }

  finish(): LikeVerdict {
    const missing = this.items.filter((_item, i) => this.seen[i] !== true);
    if (this.items.length === 0) return { passed: false, detail: 'the expected block has no line to compare' };
    if (missing.length === 0) return { passed: true, detail: `all ${this.items.length} expected lines seen` };
    const first = missing[0] as ExpectedItem;
    const more = missing.length > 1 ? `; ${missing.length - 1} more of ${this.items.length} not seen either` : '';
    return { passed: false, detail: `expected line not seen: ${describeItem(first)}${more}` };
  }
}

/**
 * A pod's name may carry more words before its generated suffix than the block's did (`age-v1-*`
 * for `age-*`: the kata's manifests were renamed since the block was pasted); the rest of the row
 * still has to match.
 */
function sameWorkload(expected: string, seen: string): boolean {
  return expected.endsWith('-*') && seen.endsWith('-*') && seen.startsWith(expected.slice(0, -1));
}
