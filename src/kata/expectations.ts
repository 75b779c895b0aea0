/**
 * Promises in prose: "You should expect to see the *Welcome to nginx!* HTML output from the curl
 * command." becomes "the curl step's output contains `Welcome to nginx!`". Only emphasised or
 * quoted phrases count: "you will see an encrypted response" promises nothing checkable.
 */

/** A checkable promise found in prose. */
export interface Expectation {
  /** The phrase the output must contain. */
  readonly text: string;
  /** The command the sentence names ("from the curl command"), if any. */
  readonly command?: string;
  /** True when the sentence points back ("above", "previous"). */
  readonly backwards: boolean;
  /** 0-based line within the prose where the sentence starts. */
  readonly lineOffset: number;
}

const PROMISE =
  /\b(?:should|will|would|must)\s+(?:now\s+|also\s+|then\s+|eventually\s+)?(?:expect\s+to\s+)?(?:see|get|receive|print|show|return|output|display)\b|\bexpect(?:ed)?\s+to\s+see\b/i;
/** Single emphasis only: bold (`**two**`) marks stress, not quoted output. */
const EMPHASIS = /(?<![*\w])\*(?!\*)([^*\n]+?)(?<!\s)\*(?![*\w])|(?<![_\w])_(?!_)([^_\n]+?)(?<!\s)_(?![_\w])/g;
const QUOTED = /"([^"\n]{2,}?)"|\u201c([^\u201d\n]{2,}?)\u201d/g;
const NAMED_COMMAND = /\bthe\s+`?([\w./-]+)`?\s+(?:command|query|request)\b/i;
const BACKWARDS = /\b(?:above|previous|preceding|earlier)\b/i;

/** Finds the promises in a piece of prose, in order. */
export function findExpectations(prose: string): Expectation[] {
  const result: Expectation[] = [];
  // Most prose promises nothing: one test of the whole text before splitting it into sentences.
  if (!PROMISE.test(prose)) return result;
  for (const sentence of sentences(prose)) {
    if (!PROMISE.test(sentence.text)) continue;
    const command = NAMED_COMMAND.exec(sentence.text)?.[1]?.toLowerCase();
    const backwards = BACKWARDS.test(sentence.text);
    for (const pattern of [EMPHASIS, QUOTED]) {
      for (const match of sentence.text.matchAll(pattern)) {
        const text = (match[1] ?? match[2] ?? '').trim();
        if (text === '') continue;
        result.push({ text, ...(command === undefined ? {} : { command }), backwards, lineOffset: sentence.lineOffset });
      }
    }
  }
  return result;
}

interface Sentence {
  readonly text: string;
  readonly lineOffset: number;
}

/** Splits prose into sentences (across line breaks), skipping code spans' contents from emphasis matching. */
function sentences(prose: string): Sentence[] {
  const result: Sentence[] = [];
  const lines = prose.split('\n');
  let current = '';
  let start = 0;
  lines.forEach((line, index) => {
    if (line.trim() === '' || /^\s*(#|>|[-*+] |\d+\. )/.test(line)) {
      if (current.trim() !== '') result.push({ text: current.trim(), lineOffset: start });
      current = '';
    }
    if (line.trim() === '') return;
    if (current === '') start = index;
    const parts = line.replace(/`[^`]*`/g, (code) => code.replace(/[*_"]/g, ' ')).split(/(?<=[.!?])\s+(?=[A-Z*_"`(])/);
    parts.forEach((part, k) => {
      if (k > 0) {
        if (current.trim() !== '') result.push({ text: current.trim(), lineOffset: start });
        current = '';
        start = index;
      }
      current += `${part} `;
    });
  });
  if (current.trim() !== '') result.push({ text: current.trim(), lineOffset: start });
  return result;
}
