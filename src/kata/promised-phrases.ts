/**
 * The phrases of a promising sentence that name output: what is in a code span, quotes, italics
 * or bold, a status code ("a 502"), a `Label: message` result ("RBAC: access denied"). Most such
 * marks in prose name something else (a command, a flag, a file, a namespace, a word stressed),
 * and a check on one of those fails a correct run: precision over recall, so a phrase is kept only
 * when nothing around it says it is a name.
 */
import { isKnownCommand } from './commands.js';

/** A phrase the output is promised to show, or an HTTP status. */
export type Phrase = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'status'; readonly code: number };

/** Code span, bold, italic, double and single quotes (straight and curly), in that order of groups. */
const MARKED =
  /(`+)([^`\n]+?)\1|\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|(?<![*\w])\*(?!\*)([^*\n]+?)(?<!\s)\*(?![*\w])|(?<![_\w])_(?!_)([^_\n]+?)(?<!\s)_(?![_\w])|"([^"\n]{1,80}?)"|\u201c([^\u201d\n]{1,80}?)\u201d|(?<![\w'])'([^'\n]{1,80}?)'(?![\w])|\u2018([^\u2019\n]{1,80}?)\u2019/g;

/** Words right before a mark that make it a place, a target or an instruction: "on `node-1`", "run `kubectl get pods`". */
const NAME_BEFORE =
  /\b(?:on|in|at|into|inside|onto|to|towards?|via|under|for|from|of|by|through|within|between|across|over|behind|called|named|run|runs|running|execute|executing|type|typing|use|using|set|setting|edit|editing|open|opening|create|creating|apply|applying|delete|deleting|change|changing|add|adding|remove|removing|replace|replacing|instead\s+of|rather\s+than|than|not|no|or|either|neither|nor)\s+(?:the\s+|a\s+|an\s+|your\s+|our\s+|this\s+|that\s+|its\s+)?$/i;

/** A noun right after a mark that makes it a name: "the `default` namespace", "the `READY` column". */
const NAME_AFTER =
  /^\s*(?:namespaces?|services?|svc|pods?|deployments?|deploy|files?|folders?|director(?:y|ies)|commands?|flags?|options?|columns?|labels?|annotations?|containers?|interfaces?|fields?|scripts?|tabs?|buttons?|keys?|variables?|modes?|images?|sections?|resources?|objects?|nodes?|clusters?|ports?|headers?|endpoints?|gateways?|polic(?:y|ies)|rules?|secrets?|tools?|binar(?:y|ies)|packages?|settings?|parameters?|arguments?|applications?|apps?|workloads?|versions?|subsets?|hosts?|environments?|kinds?|methods?|functions?|quer(?:y|ies)|requests?|loops?|for-loops?|utilit(?:y|ies)|programs?|shells?|terminals?|windows?|pages?|dashboards?|graphs?|views?|menus?|icons?|links?|propert(?:y|ies)|attributes?|types?|protocols?|sidecars?|prox(?:y|ies)|certificates?|manifests?|charts?|releases?|users?|accounts?|roles?|bindings?|groups?|tables?|lists?|blocks?|subcommands?|plugins?|features?|controllers?|operators?|jobs?|ingress(?:es)?|routes?|values?|entr(?:y|ies)|directives?|statements?|output)\b/i;

/** After a mark: "`A` or `B`" promises one of two, not both. */
const ALTERNATIVE_AFTER = /^\s*,?\s*(?:or|nor)\b/i;

/** Tools, whose names in code spans are never output. */
const TOOLS = new Set(['kubectl', 'curl', 'wget', 'tcpdump', 'istioctl', 'helm', 'jq', 'yq', 'grep', 'bash', 'sh', 'oc', 'kind', 'docker']);

const FILE_LIKE =
  /^(?:\.{0,2}\/|~\/)\S|\.(?:ya?ml|json|sh|md|txt|conf|cfg|ini|toml|py|js|ts|go|crt|key|pem|csr|html?|log|env|tar|gz|tgz|zip)$/i;

/** A status as text: `503`, `403 Forbidden`, `HTTP/1.1 502 Bad Gateway`. */
const STATUS_TEXT = /^(?:HTTP\/[\d.]+\s+)?([1-5]\d\d)(?:\s+[A-Z][\w -]*)?$/;

/** "a 502", "a response of 403", "HTTP 404", "status code 200", "returns 503", "fails with 500". */
const STATUS_WORDS =
  /\b(?:HTTP(?:\/\d(?:\.\d)?)?\s+(?:status\s+(?:code\s+)?)?|status(?:\s+code)?\s+(?:of\s+|(?:should|will|must)\s+(?:now\s+)?be\s+)?|(?:response|return|error)\s+code\s+(?:of\s+)?|response\s+of\s+|an?\s+|returns?\s+(?:an?\s+)?|gets?\s+(?:an?\s+)?|receives?\s+(?:an?\s+)?|(?:responds?|fails?)\s+with\s+(?:an?\s+)?)`?([1-5]\d\d)`?(?![\w%/.:-])(?!\s*(?:ms|seconds?|requests?|times|bytes|lines|pods?|replicas|percent|of\s+(?:the|them|all)))/gi;

/** An unquoted `Label: message` result right after a promising verb: "you should get RBAC: access denied". */
const LABELLED_RESULT =
  /\b(?:see|get|receive|returns?|prints?|shows?|with)\s+(?:an?\s+|the\s+)?(?:(?:error|message|response|reply|output)\s+)?([A-Z][\w-]*(?: [A-Za-z][\w-]*)?: [\w' -]{2,40}?)(?=[.,;)]|\s*$)/g;

/** A short result in parentheses right after a promising word: "responses ending in (v2)". */
const PAREN_RESULT = /\b(?:see|get|with|like|in|shows?|prints?|returns?)\s+(?:an?\s+|the\s+)?(\([\w.-]{1,20}\))/g;

/** The phrases of a sentence that name output, in order, without repeats. */
export function promisedPhrases(sentence: string): Phrase[] {
  const found: Phrase[] = [];
  const add = (phrase: Phrase): void => {
    if (
      !found.some((p) =>
        p.kind === 'text' ? phrase.kind === 'text' && p.text === phrase.text : phrase.kind === 'status' && p.code === phrase.code,
      )
    )
      found.push(phrase);
  };
  for (const match of sentence.matchAll(MARKED)) {
    const code = match[2];
    const emphasis = match[3] ?? match[4] ?? match[5] ?? match[6];
    const quoted = match[7] ?? match[8] ?? match[9] ?? match[10];
    const text = (code ?? emphasis ?? quoted ?? '').trim();
    // A few words either side decide; a window keeps a sentence with many marks linear.
    const before = sentence.slice(Math.max(0, match.index - 40), match.index);
    const after = sentence.slice(match.index + match[0].length, match.index + match[0].length + 40);
    const status = STATUS_TEXT.exec(text);
    if (status !== null && !NAME_BEFORE.test(before)) {
      add({ kind: 'status', code: Number(status[1]) });
      continue;
    }
    if (
      !isOutput(
        text,
        code !== undefined ? 'code' : quoted !== undefined && match[9] === undefined && match[10] === undefined ? 'double' : 'other',
        before,
        after,
      )
    )
      continue;
    add({ kind: 'text', text });
  }
  const plain = sentence.replace(MARKED, (m) => ' '.repeat(m.length));
  for (const match of plain.matchAll(STATUS_WORDS)) add({ kind: 'status', code: Number(match[1]) });
  for (const match of plain.matchAll(LABELLED_RESULT)) add({ kind: 'text', text: (match[1] as string).trim() });
  for (const match of plain.matchAll(PAREN_RESULT)) add({ kind: 'text', text: match[1] as string });
  return found;
}

function isOutput(text: string, mark: 'code' | 'double' | 'other', before: string, after: string): boolean {
  if (text.length < 2 || text.length > 80) return false;
  if (NAME_BEFORE.test(before) || NAME_AFTER.test(after) || ALTERNATIVE_AFTER.test(after)) return false;
  if (/^(?:i\.e\.|e\.g\.)/i.test(text)) return false;
  if (/^<[^>]+>$|^\$\{?\w+\}?$/.test(text) || FILE_LIKE.test(text)) return false;
  const words = text.split(/\s+/);
  if (mark === 'code') {
    if (/^--?[A-Za-z]/.test(text) || TOOLS.has(text)) return false;
    return !(words.length > 1 && isKnownCommand(text));
  }
  // Emphasis, single quotes and a double-quoted word around plain lower case are stress or scare
  // quotes ("an 'ordinary' pod", "**two** containers", "the "real" address"); "hello world" is quoted output.
  if (words.length > 8) return false;
  if (mark === 'double' && words.length > 1) return true;
  return /[A-Z0-9!?:;=<>{}[\]()/\\|#@$%^&+~.,]/.test(text);
}
