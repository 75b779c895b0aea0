/**
 * Promises in prose: "You should expect to see the *Welcome to nginx!* HTML output from the curl
 * command." becomes "the curl step's output contains `Welcome to nginx!`". Only emphasised or
 * quoted phrases count: "you will see an encrypted response" promises nothing checkable.
 */
import { omitUndefined } from '../omit-undefined.js';

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
        result.push({ text, ...omitUndefined({ command }), backwards, lineOffset: sentence.lineOffset });
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

/** A promise about a capture: "you will see an encrypted response", "un-encrypted traffic". */
export interface EncryptionPromise {
  readonly kind: 'payload-encrypted' | 'payload-plaintext';
  /** True when the sentence points back ("the command above"). */
  readonly backwards: boolean;
  readonly lineOffset: number;
  /** The words that made it a promise, for the plan. */
  readonly words: string;
}

const PLAINTEXT_WORDS = /\b(?:un-?encrypted|not\s+encrypted|decrypted|plain[- ]?text|clear[- ]?text|in\s+the\s+clear|in\s+plain\s+text)\b/i;
const ENCRYPTED_WORDS = /\b(?:encrypted|m?TLS(?:\s+(?:records?|traffic|handshakes?))?|cipher[- ]?text|gibberish)\b/i;
/** "you will not see plaintext", "you cannot read the request": the opposite of what the words say. */
const NEGATED =
  /\b(?:not|never|cannot|can't|won't|no\s+longer|unable\s+to)\b[^.]*?\b(?:see|get|read|notice|find)\b|\b(?:no|none\s+of\s+the)\s+(?=(?:un-?encrypted|decrypted|plain|clear))/i;

/** Like PROMISE, also negated ("you will not see", "you cannot read") and with reading verbs. */
const CAPTURE_PROMISE =
  /\b(?:should|will|would|must|can|won't|cannot|can't)\s+(?:not\s+|never\s+|no\s+longer\s+)?(?:now\s+|also\s+|then\s+|only\s+|clearly\s+)?(?:expect\s+to\s+|be\s+able\s+to\s+)?(?:see|get|receive|notice|find|read|observe|show)\b|\bexpect(?:ed)?\s+to\s+see\b/i;

/** Finds the sentences that promise a capture shows encrypted or plaintext traffic. */
export function findEncryptionPromises(prose: string): EncryptionPromise[] {
  const result: EncryptionPromise[] = [];
  if (!CAPTURE_PROMISE.test(prose) || !(PLAINTEXT_WORDS.test(prose) || ENCRYPTED_WORDS.test(prose))) return result;
  for (const sentence of sentences(prose)) {
    if (!CAPTURE_PROMISE.test(sentence.text)) continue;
    const plain = PLAINTEXT_WORDS.exec(sentence.text);
    const encrypted = plain === null ? ENCRYPTED_WORDS.exec(sentence.text) : null;
    const words = plain ?? encrypted;
    if (words === null) continue;
    const negated = NEGATED.test(sentence.text.replace(/\bnot\s+encrypted\b/gi, 'unencrypted'));
    const saysPlain = (plain !== null) !== negated;
    result.push({
      kind: saysPlain ? 'payload-plaintext' : 'payload-encrypted',
      backwards: BACKWARDS.test(sentence.text),
      lineOffset: sentence.lineOffset,
      words: words[0],
    });
  }
  return result;
}

const MESH_WORDS = /\b(?:Istio|Linkerd|service\s+mesh|istio-proxy|sidecar\s+prox(?:y|ies))\b/i;

/** Where the prose first says it is about a service mesh (0-based line and the word), if it does. */
export function meshMention(prose: string): { readonly lineOffset: number; readonly word: string } | undefined {
  const match = MESH_WORDS.exec(prose);
  if (match === null) return undefined;
  return { lineOffset: prose.slice(0, match.index).split('\n').length - 1, word: match[0] };
}
