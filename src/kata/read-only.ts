/**
 * Which commands only read: `kata test --prove` runs such a command again at an earlier point of
 * the kata (before the steps it depends on) to show that its checks can fail there. Running a
 * command the kata did not ask for at that point must change nothing, so the rule is a short
 * allow-list, decided on the text alone: every simple command of the line is a known reader
 * (`curl` without a body or an output file, `kubectl get|describe|logs`, `cat`, `grep`, `jq`, ...),
 * and nothing is written (no `>` but to /dev/null, no `tee`, no `sed -i`), assigned, exported or
 * looped over. Anything else is not read-only, and its checks are proven on a broken copy of
 * their output instead.
 */
import { isLongRunning, kubectlSubcommand, shellWords } from './commands.js';

/** Programs that only read or print, whatever their arguments (the exceptions are below). */
const READERS = new Set(
  (
    'cat ls echo printf grep egrep fgrep jq yq head tail wc sort uniq cut tr column base64 stat file env printenv ' +
    'hostname date id whoami uname ps pwd true test [ which type df du free uptime nslookup dig host getent ss ' +
    'netstat sleep sed find ip ping curl wget kubectl oc istioctl'
  ).split(' '),
);

const SEPARATORS = new Set([';', '|', '&&', '||', '$(', ')']);

/** kubectl's verbs that read. */
const KUBECTL_READS = new Set([
  'get',
  'describe',
  'logs',
  'top',
  'explain',
  'api-resources',
  'api-versions',
  'version',
  'cluster-info',
  'events',
]);
/** istioctl's commands that read. */
const ISTIOCTL_READS = new Set(['proxy-status', 'ps', 'proxy-config', 'pc', 'analyze', 'version']);
/** `ip OBJECT [list|show]`: the objects whose listing reads. */
const IP_OBJECTS = new Set(['link', 'l', 'addr', 'address', 'a', 'route', 'r', 'neigh', 'n', 'rule', 'maddr']);

/** True when the command line only reads (see the module's comment for the rule). */
export function isReadOnly(text: string): boolean {
  if (isLongRunning(text) || !onlyHarmlessRedirections(text) || text.includes('`') || /<<|<\(|>\(/.test(text)) return false;
  // What onlyHarmlessRedirections let through (`2>&1`, `>/dev/null`) is no word of the command.
  const words = shellWords(text.replace(/[0-9]*>>?&[0-9-]|(?:&|[0-9]*)>>?\s*\/dev\/null/g, ' '));
  if (words.some((w) => w === '&' || w === '(' || w === ';;')) return false;
  let current: string[] = [];
  const commands: string[][] = [];
  for (const word of words) {
    if (SEPARATORS.has(word)) {
      if (current.length > 0) commands.push(current);
      current = [];
    } else current.push(word);
  }
  if (current.length > 0) commands.push(current);
  return commands.length > 0 && commands.every(readsOnly);
}

/** One simple command, as its words. */
function readsOnly(words: readonly string[]): boolean {
  const head = words[0] as string;
  const args = words.slice(1);
  // An assignment (`X=1 cmd`, `export X`) changes the shell the next steps run in.
  if (/^[A-Za-z_]\w*=/.test(head) || !READERS.has(head)) return false;
  const positional = args.filter((a) => !a.startsWith('-'));
  switch (head) {
    // These change something with the right arguments: the hostname or the clock (as root), a
    // command run by env, a file written by sort -o, uniq's second file or yq -i.
    case 'hostname':
    case 'env':
      return positional.length === 0;
    case 'date':
      return !args.some((a) => a === '-s' || a.startsWith('--set'));
    case 'sort':
      return !args.some((a) => /^-[a-zA-Z]*o/.test(a) || a.startsWith('--output'));
    case 'uniq':
      return positional.length <= 1;
    case 'yq':
      return !args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--inplace'));
    case 'sed':
      return !args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'));
    case 'find':
      return !args.some((a) => /^-(delete|exec|execdir|ok|okdir|fprint\w*|fls)$/.test(a));
    case 'ip':
      return ipReads(args);
    case 'curl':
      return curlReads(args);
    case 'wget':
      return wgetToStdout(args) && !args.some((a) => /^--(post|body|method)/.test(a));
    case 'kubectl':
    case 'oc':
      return kubectlReads(args);
    case 'istioctl':
      return ISTIOCTL_READS.has(args.find((a) => !a.startsWith('-')) ?? '');
    default:
      return true;
  }
}

function ipReads(args: readonly string[]): boolean {
  const words = args.filter((a) => !a.startsWith('-'));
  const object = words[0];
  if (object === undefined || !IP_OBJECTS.has(object)) return false;
  const verb = words[1];
  return verb === undefined || !/^(add|del|delete|set|change|replace|flush|append|prepend|save|restore)$/.test(verb);
}

/** curl without a request body, an upload, a method that changes things, or an output file. */
function curlReads(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (/^--(data|form|upload-file|output|remote-name|config|dump-header|cookie-jar|json)/.test(a)) return false;
    // Short options may be grouped (`-sSo page.html`): these write a file or send a body.
    if (/^-[a-zA-Z]*[dFTOoDcKJ]/.test(a) && !a.startsWith('--')) return false;
    const method = a === '-X' || a === '--request' ? args[i + 1] : (/^-X(.+)$/.exec(a)?.[1] ?? /^--request=(.+)$/.exec(a)?.[1]);
    if (method !== undefined && !/^(GET|HEAD|OPTIONS)$/i.test(method)) return false;
  }
  return true;
}

/** wget writes a file unless told to write to stdout (`-O-`, `-qO-`, `-O -`) or only to look (`--spider`). */
function wgetToStdout(args: readonly string[]): boolean {
  if (args.includes('--spider') || args.includes('-O-') || args.includes('-qO-') || args.includes('--output-document=-')) return true;
  const o = args.indexOf('-O');
  return o !== -1 && args[o + 1] === '-';
}

function kubectlReads(args: readonly string[]): boolean {
  const verb = kubectlSubcommand(args);
  if (verb === undefined) return false;
  if (KUBECTL_READS.has(verb)) return true;
  const rest = args.slice(args.indexOf(verb) + 1).filter((a) => !a.startsWith('-'));
  if (verb === 'auth') return rest[0] === 'can-i' || rest[0] === 'whoami';
  if (verb === 'config') return rest[0] === 'view' || rest[0] === 'current-context' || rest[0] === 'get-contexts';
  // `kubectl exec POD -- CMD` (no stdin, no terminal) reads when CMD does.
  if (verb === 'exec' && args.includes('--')) {
    const before = args.slice(0, args.indexOf('--'));
    if (before.some((a) => /^-[a-zA-Z]*[it]/.test(a) && !a.startsWith('--')) || before.includes('--stdin') || before.includes('--tty'))
      return false;
    const inner = args.slice(args.indexOf('--') + 1);
    return inner.length > 0 && readsOnly(inner);
  }
  return false;
}

/** Redirections outside quotes write nothing but to /dev/null or another descriptor (`2>&1`); `tee` is not a reader. */
function onlyHarmlessRedirections(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    if (c !== '>') continue;
    // `<name POD>` placeholders close with `>`: their opening `<` is a letter's neighbour.
    const open = text.lastIndexOf('<', i);
    if (open !== -1 && /^<[A-Za-z][^<>\n]*$/.test(text.slice(open, i))) continue;
    const target = text
      .slice(i + 1)
      .replace(/^>/, '')
      .trimStart();
    if (/^&[0-9-]/.test(target) || target.startsWith('/dev/null')) continue;
    return false;
  }
  return true;
}
