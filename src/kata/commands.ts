/**
 * What a single command means to the runner: where it may run, whether it ends on its own,
 * whether it opens a shell in a pod, and which placeholders it needs. Pure text analysis.
 */
import type { ShellOpener } from './model.js';
import { omitUndefined } from '../omit-undefined.js';

const SHELLS = new Set(['bash', 'sh', 'zsh', 'ash', 'dash', 'ksh', 'fish']);

/** Commands a person types; an unlabelled block whose lines start with these is run, not shown. */
const KNOWN_COMMANDS = new Set(
  (
    'kubectl k oc helm istioctl kind minikube k3d kustomize skaffold curl wget http tcpdump ip ifconfig ss netstat ping ' +
    'nslookup dig host traceroute nc ncat telnet openssl echo printf cat less more head tail grep egrep fgrep sed awk ' +
    'cut sort uniq wc tr tee xargs jq yq ls cd pwd mkdir rm rmdir cp mv touch chmod chown ln find env export unset ' +
    'source . set alias sleep watch date kill pkill pgrep ps top git make docker podman crictl ctr nerdctl go npm npx ' +
    'node python python3 pip pip3 bash sh zsh ssh scp base64 envsubst for while until if test [ true false exit ' +
    'hostname whoami id uname diff patch tar gzip gunzip unzip apt apt-get yum dnf apk sudo time timeout nohup vi vim ' +
    'nano systemctl journalctl mount umount df du free which type command read iptables nft conntrack ethtool ' +
    'hey fortio ab wrk siege stern k9s kubens kubectx'
  ).split(' '),
);

/** Flags of kubectl that take their value as the next word. */
const KUBECTL_VALUE_FLAGS = new Set(
  (
    '-n --namespace --context --kubeconfig --cluster --user -c --container --image --target ' +
    '--profile --copy-to --image-pull-policy --env -l --selector --restart --labels --port --pod-running-timeout ' +
    '--custom-profile --overrides -s --server --token --as --request-timeout'
  ).split(' '),
);

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  'time',
  '{',
  '}',
  'done',
  'fi',
  'sudo',
  'nohup',
  'exec',
]);

/**
 * Splits text into words like a shell would for a simple command: quotes removed, `<...>`
 * placeholders kept as one word, separators (`;`, `|`, `&&`, ...) returned as their own words.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  const push = (): void => {
    if (inWord) words.push(current);
    current = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      const end = findClosingQuote(text, i);
      const inner = text.slice(i + 1, end);
      current += c === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
      inWord = true;
      i = end;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[i + 1];
      inWord = true;
      i++;
    } else if (c === '<' && text[i - 1] !== '<' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      const close = text.indexOf('>', i);
      const open = text.indexOf('<', i + 1);
      const nl = text.indexOf('\n', i);
      if (close !== -1 && (open === -1 || open > close) && (nl === -1 || nl > close)) {
        current += text.slice(i, close + 1);
        inWord = true;
        i = close;
      } else {
        push();
        words.push('<');
      }
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      push();
      if (c === '\n') words.push(';');
    } else if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      push();
      const two = text.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === ';;') {
        words.push(two);
        i++;
      } else words.push(c);
    } else if (c === '$' && text[i + 1] === '(') {
      push();
      words.push('$(');
      i++;
    } else {
      current += c;
      inWord = true;
    }
  }
  push();
  return words;
}

function findClosingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return text.length;
}

const SEPARATORS = new Set([';', '|', '&', '&&', '||', '(', ')', '$(', ';;']);

/** Each command is looked at several times (context, long-running, opener, placeholders): tokenize it once. */
const simpleCache = new Map<string, readonly (readonly string[])[]>();
const SIMPLE_CACHE_SIZE = 512;

/** The simple commands in a command line, each as its words, with keywords and assignments removed from the front. */
export function simpleCommands(text: string): readonly (readonly string[])[] {
  const cached = simpleCache.get(text);
  if (cached !== undefined) return cached;
  const result = tokenizeSimpleCommands(text);
  if (simpleCache.size >= SIMPLE_CACHE_SIZE) simpleCache.delete(simpleCache.keys().next().value as string);
  simpleCache.set(text, result);
  return result;
}

function tokenizeSimpleCommands(text: string): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  for (const word of shellWords(text)) {
    if (SEPARATORS.has(word)) {
      if (current.length > 0) result.push(current);
      current = [];
      continue;
    }
    if (current.length === 0 && (KEYWORDS.has(word) || /^[A-Za-z_]\w*=/.test(word))) continue;
    current.push(word);
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The command names a line runs (`kubectl`, `jq`, ...). */
export function commandNames(text: string): string[] {
  return simpleCommands(text).map((words) => words[0] as string);
}

/** True when the command line runs kubectl anywhere (`cat x | kubectl apply -f -` counts): it belongs on the host. */
export function runsKubectl(text: string): boolean {
  return commandNames(text).some((name) => name === 'kubectl' || name === 'oc');
}

/** True when an unlabelled line reads as a command rather than output or pseudo-code. */
export function looksLikeCommand(line: string): boolean {
  const words = simpleCommands(line)[0];
  if (words === undefined) return /^[A-Za-z_]\w*=\S/.test(line.trim()); // a bare assignment
  const head = words[0] as string;
  if (words[1] === '=' || words[1] === ':') return false;
  return KNOWN_COMMANDS.has(head) || /^(\.{0,2}\/|~\/)/.test(head) || /^[\w.-]+\/[\w./-]*\.(sh|py)$/.test(head);
}

/** True when a command line's first program is one people type at a shell. */
export function isKnownCommand(line: string): boolean {
  const head = simpleCommands(line)[0]?.[0];
  return head !== undefined && (KNOWN_COMMANDS.has(head) || /^(\.{0,2}\/|~\/)/.test(head));
}

/** True when a block's content is output someone pasted (a table, JSON, YAML), not commands. */
export function looksLikeOutput(code: string): boolean {
  const first = code.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return true;
  if (/^\s*[A-Z][A-Z0-9_()/.-]*(?: [A-Z][A-Z0-9_()/.-]*)?(?:\s{2,}[A-Z][A-Z0-9_()/.-]*(?: [A-Z][A-Z0-9_()/.-]*)?)+\s*$/.test(first))
    return true;
  if (/^\s*(\{|\[\s*$|\[\s*[{"\d])/.test(first)) return true;
  if (/^\s*---\s*$/.test(first)) return true;
  if (/^\s*-?\s*[A-Za-z_][\w.-]*:(\s|$)/.test(first) && !isKnownCommand(first)) return true;
  return false;
}

/** A packet capture that prints the packets' bytes as a hex dump (`tcpdump -X`/`-XX`): payload checks can read it. */
export function dumpsPackets(text: string): boolean {
  return simpleCommands(text).some(
    (words) => (words[0] as string).split('/').pop() === 'tcpdump' && words.slice(1).some((a) => /^-[a-zA-Z]*X/.test(a)),
  );
}

/** Long-running by nature: the runner must give it a bound and stop it. */
export function isLongRunning(text: string): boolean {
  if (/\b(while|until)\s+(true|:|\[\s*1\s*\]|false)\s*;?\s*do\b/.test(text) && !/\bbreak\b/.test(text)) return true;
  if (/\bfor\s*\(\(\s*;\s*;\s*\)\)/.test(text)) return true;
  for (const words of simpleCommands(text)) {
    const head = words[0] as string;
    const args = words.slice(1);
    const base = head.split('/').pop() as string;
    if (base === 'tcpdump' && !args.some((a) => /^-c\d*$/.test(a) || /^-\w*c$/.test(a))) return true;
    if (base === 'watch' || base === 'yes' || base === 'stern') return true;
    if (base === 'tail' && args.some((a) => /^-\w*[fF]/.test(a) || a === '--follow' || a.startsWith('--follow='))) return true;
    if (base === 'ping' && !args.some((a) => /^-c\d*$/.test(a))) return true;
    if (base === 'sleep' && args[0] === 'infinity') return true;
    if (/^loop-query[\w.-]*\.sh$/.test(base)) return true;
    if (base === 'kubectl' || base === 'oc') {
      const sub = kubectlSubcommand(args);
      if (sub === 'port-forward' || sub === 'proxy' || sub === 'attach') return true;
      if (sub === 'logs' && args.some((a) => a === '-f' || a === '--follow' || a === '--follow=true' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a)))
        return true;
      if (args.some((a) => a === '-w' || a === '--watch' || a === '--watch=true' || a === '--watch-only' || a === '--watch-only=true'))
        return true;
      if ((sub === 'exec' || sub === 'debug') && args.includes('--')) {
        const rest = args.slice(args.indexOf('--') + 1).join(' ');
        if (rest !== '' && isLongRunning(rest)) return true;
      }
    }
  }
  return false;
}

/** The kubectl subcommand (`exec`, `get`, ...): the first word that is not a flag or a flag's value. */
export function kubectlSubcommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && KUBECTL_VALUE_FLAGS.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/**
 * The shell a command opens in a pod, if it does: `kubectl exec -it POD -- bash`,
 * `kubectl debug -it POD --image X -- sh`, `kubectl run -it NAME --image X -- sh`.
 * One-shot forms (`kubectl exec -it POD -- rm x`) and non-interactive ones open nothing.
 */
export function parseShellOpener(text: string): ShellOpener | undefined {
  const commands = simpleCommands(text);
  if (commands.length !== 1) return undefined;
  const words = commands[0] as string[];
  if (words[0] !== 'kubectl' && words[0] !== 'oc') return undefined;
  const dashdash = words.indexOf('--');
  if (dashdash === -1) return undefined;
  const args = words.slice(1, dashdash);
  const rest = words.slice(dashdash + 1);
  const shell = rest[0]?.split('/').pop();
  if (shell === undefined || !SHELLS.has(shell)) return undefined;
  if (rest.slice(1).some((a) => !['-l', '-i', '--login', '-il', '-li'].includes(a))) return undefined;
  const kind = kubectlSubcommand(args);
  if (kind !== 'exec' && kind !== 'debug' && kind !== 'run') return undefined;
  if (!isInteractive(args)) return undefined;

  let target: string | undefined;
  let image: string | undefined;
  let container: string | undefined;
  let seenSub = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      const value = inline ?? (KUBECTL_VALUE_FLAGS.has(flag) ? args[++i] : undefined);
      if (flag === '--image') image = value;
      if (flag === '-c' || flag === '--container' || (kind === 'debug' && flag === '--target')) container = value;
      continue;
    }
    if (!seenSub) {
      seenSub = true;
      continue;
    }
    target ??= arg;
  }
  if (target === undefined) return undefined;
  return {
    kind,
    target,
    shell: shell,
    ...omitUndefined({ image, container }),
    args,
  };
}

function isInteractive(args: readonly string[]): boolean {
  let stdin = false;
  let tty = false;
  for (const arg of args) {
    if (/^-[a-zA-Z]*$/.test(arg) && !arg.startsWith('--')) {
      if (arg.includes('i')) stdin = true;
      if (arg.includes('t')) tty = true;
    }
    if (arg === '--stdin' || arg === '--stdin=true') stdin = true;
    if (arg === '--tty' || arg === '--tty=true') tty = true;
  }
  return stdin && tty;
}
