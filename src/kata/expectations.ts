/**
 * Promises in prose: "You should expect to see the *Welcome to nginx!* HTML output from the curl
 * command." becomes "the curl step's output contains `Welcome to nginx!`". Only phrases that name
 * output count (promised-phrases.ts): "you will see an encrypted response" promises nothing
 * checkable here (captures have their own rule below), "you should see the pods starting" neither.
 */
import { omitUndefined } from '../omit-undefined.js';
import { promisedPhrases } from './promised-phrases.js';

/** A checkable promise found in prose. */
export interface Expectation {
  /** `contains`: the output shows the phrase; `not-contains`: it no longer does; `status`: an HTTP status. */
  readonly kind: 'contains' | 'not-contains' | 'status';
  /** The phrase, or the status code as digits. */
  readonly text: string;
  /** The command the sentence names ("from the curl command"), if any. */
  readonly command?: string;
  /**
   * Which step the sentence is about: `back` the one before it ("above", or a sentence after a
   * block), `forward` the one it introduces ("the following", a colon, an instruction to run),
   * `either` when it names the command, `none` when it cannot tell (a paragraph between others).
   */
  readonly direction: 'back' | 'forward' | 'either' | 'none';
  /** The sentence asks to run an earlier command again ("re-run the `curl` command"). */
  readonly rerun: boolean;
  /** 0-based line within the prose where the sentence starts. */
  readonly lineOffset: number;
  /** The sentence, for `kata plan` to say why. */
  readonly sentence: string;
}

const PROMISE =
  /(?:\b(?:should|will|would|must|shall)|'ll)\s+(?:not\s+|never\s+|no\s+longer\s+)?(?:now\s+|also\s+|then\s+|eventually\s+|only\s+|still\s+|again\s+)?(?:expect\s+to\s+|be\s+able\s+to\s+)?(?:see|get|receive|print|show|return|output|display|observe|notice|respond|reply|answer|say|list|contain|include|read|fail|appear)\b|\bexpect(?:ed)?\s+to\s+(?:see|get|receive)\b|\b(?:prints?|returns?|outputs?|displays?|responds?\s+with|replies\s+with|answers\s+with|says)\b|\b(?:is|are)\s+(?:printed|returned|shown|displayed|listed)\b|\b(?:appears?|shows?\s+up)\b|\b(?:won't|shouldn't|don't|doesn't)\s+(?:see|get|show|print|return|appear)\b|\b(?:is|are)\s+no\s+longer\b|\b(?:output|result|response|reply|status(?:\s+code)?)\s+(?:should|will|must)\s+(?:now\s+|also\s+)?(?:be|contain|include|read|say|show)\b|\b(?:the\s+)?(?:output|result|response|reply)\s+(?:is|contains|includes|reads|says)\b|\bexpected\s+output\b|(?:^|\band\s+)(?:then\s+|now\s+)?(?:see|observe|notice|verify|check|confirm)\s+that\b/i;
/** A sentence about a web UI (Kiali's graph, a dashboard, the browser) promises nothing a command prints. */
const ABOUT_A_UI = /\b(?:Kiali|Grafana|Jaeger|Prometheus\s+UI|dashboard|browser|web\s+UI|the\s+UI|graph|padlock)\b/i;
const NEGATIVE =
  /\b(?:should|will|would|must|shall|do|does|did|can)\s*(?:not|n't|never|no\s+longer)\s+(?:\w+\s+)?(?:see|get|receive|print|show|return|output|display|observe|notice|contain|include|appear|list)\b|\b(?:won't|wont|shouldn't|don't|doesn't|can't|cannot)\s+(?:\w+\s+)?(?:see|get|receive|print|show|return|display|observe|notice|contain|include|appear|list)\b|\b(?:is|are|was|were)\s+(?:no\s+longer|not|never)\s+(?:being\s+)?(?:shown|printed|listed|received|returned|displayed|present|there|visible|included|seen)\b|\bno\s+longer\s+(?:appears?|shows?|shown|listed|received|returned|printed|present|visible|there)\b|\bdisappears?\b/i;
const NAMED_COMMAND =
  /\b(?:the|a|an|that|this|same)\s+`?(?!(?:same|previous|last|first|next|following|above|earlier|other|whole|new)\b)([\w./-]+)`?\s+(?:command|query|request|call|script|loop|for-loop)\b/i;
const BACKWARDS = /\b(?:above|previous|preceding|earlier|from\s+before)\b/i;
const FORWARD = /:\s*$|\b(?:following|below|next\s+command|this\s+command)\b/i;
/** An instruction to run what comes next: the paragraph introduces the block after it. */
const INSTRUCTION =
  /^(?:\W*\w+,?\s+)?(?:run|execute|query|call|try|use|type|enter|issue|send|list|check|inspect|look|apply|create|deploy|request|ask|fetch|get|curl|test)\b/i;
const RERUN =
  /\b(?:re-?run(?:ning|s)?|retry(?:ing)?|repeat(?:ing)?)\b|\brun(?:ning)?\s+(?:it|this|that|them|(?:the\s+)?(?:same\s+)?(?:`[^`]+`\s+)?[\w-]*(?:\s+[\w-]+)?)\s+again\b/i;

/** Finds the promises in a piece of prose, in order. */
export function findExpectations(prose: string): Expectation[] {
  const result: Expectation[] = [];
  // Most prose promises nothing: one test of the whole text before splitting it into sentences.
  if (!PROMISE.test(prose.replace(/,/g, ''))) return result;
  const all = sentences(prose, false);
  const paragraphs = (all[all.length - 1]?.paragraph ?? 0) + 1;
  for (const sentence of all) {
    const words = mainClause(sentence.text).replace(/,/g, '');
    if (!PROMISE.test(words) || ABOUT_A_UI.test(sentence.text)) continue;
    const phrases = promisedPhrases(sentence.text);
    if (phrases.length === 0) continue;
    const command = NAMED_COMMAND.exec(sentence.text)?.[1]?.toLowerCase();
    const negative = NEGATIVE.test(words);
    const direction = directionOf(sentence, paragraphs, all, command);
    for (const phrase of phrases) {
      result.push({
        kind: phrase.kind === 'status' ? 'status' : negative ? 'not-contains' : 'contains',
        text: phrase.kind === 'status' ? String(phrase.code) : phrase.text,
        ...omitUndefined({ command }),
        direction,
        rerun: RERUN.test(sentence.text),
        lineOffset: sentence.lineOffset,
        sentence: sentence.text,
      });
    }
  }
  return result;
}

/** "If the pod prints `ready`, go on": a condition promises nothing; what follows its comma may. */
function mainClause(sentence: string): string {
  if (!/^(?:if|unless|in\s+case|whether|when)\b/i.test(sentence)) return sentence;
  const comma = sentence.indexOf(',');
  return comma === -1 ? '' : sentence.slice(comma + 1);
}

function directionOf(
  sentence: Sentence,
  paragraphs: number,
  all: readonly Sentence[],
  command: string | undefined,
): Expectation['direction'] {
  if (BACKWARDS.test(sentence.text)) return 'back';
  if (FORWARD.test(sentence.text)) return 'forward';
  if (command !== undefined) return 'either';
  const last = sentence.paragraph === paragraphs - 1;
  const paragraph = all.filter((s) => s.paragraph === sentence.paragraph);
  const instructs = paragraph.some((s) => INSTRUCTION.test(s.text));
  if (paragraphs === 1) return instructs ? 'forward' : 'back';
  if (sentence.paragraph === 0) return 'back';
  return last && instructs ? 'forward' : 'none';
}

interface Sentence {
  readonly text: string;
  readonly lineOffset: number;
  /** 0-based paragraph of the prose it is in. */
  readonly paragraph: number;
}

/**
 * Splits prose into sentences (across line breaks). With `mask`, the contents of code spans lose
 * their `*`, `_` and `"` so that emphasis and quote rules do not match inside them.
 */
function sentences(prose: string, mask = true): Sentence[] {
  const result: Sentence[] = [];
  const lines = prose.split('\n');
  let current = '';
  let start = 0;
  let paragraph = 0;
  const push = (): void => {
    if (current.trim() !== '') result.push({ text: current.trim(), lineOffset: start, paragraph });
    current = '';
  };
  lines.forEach((line, index) => {
    if (line.trim() === '' || /^\s*(#|>|[-*+] |\d+\. )/.test(line)) {
      push();
      if (result.length > 0 && result[result.length - 1]?.paragraph === paragraph) paragraph++;
    }
    if (line.trim() === '') return;
    if (current === '') start = index;
    const text = mask ? line.replace(/`[^`]*`/g, (code) => code.replace(/[*_"]/g, ' ')) : line;
    const parts = text.split(/(?<=[.!?])\s+(?=[A-Z*_"`(])/);
    parts.forEach((part, k) => {
      if (k > 0) {
        push();
        start = index;
      }
      current += `${part} `;
    });
  });
  push();
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
