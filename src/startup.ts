/**
 * What the `kata` command sets up before it loads anything big: Node's compile cache, and a filter
 * that keeps dependencies' warnings from the user.
 */
import module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Where a warning was raised: in kata-runner's code, in a dependency's, or nowhere we can tell. */
export type WarningOrigin = 'ours' | 'dependency' | 'unknown';

/** A stack frame in a file (a path or a file: URL), not in Node itself: its file and line. */
const FRAME = /^\s*at (?:.*? \()?(file:\/\/\/[^()\s]+|\/[^()]+?):(\d+):\d+\)?$/;
/** esbuild's line before each module it bundles: `// dist/k8s/client.js`, `// node_modules/ws/lib/x.js`. */
const BUNDLED_MODULE = /^\/\/ ((?:dist|node_modules)\/\S+)$/;

/**
 * Where the code that raised a warning lives, from the warning's stack. In the bundle (dist/cli.js,
 * dist/chunks/) dependencies are inlined, so the file does not tell: the esbuild header above the
 * frame's line does. `source` reads a file (only bundle files are read, and only on a warning).
 */
export function warningOrigin(stack: string | undefined, source: (file: string) => string): WarningOrigin {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const frame = FRAME.exec(line);
    if (frame === null) continue;
    const [, location = '', lineNumber = '0'] = frame;
    const file = location.startsWith('file:') ? fileURLToPath(location) : location;
    if (file.includes('/node_modules/')) return 'dependency';
    return bundledModuleAt(source(file), Number(lineNumber))?.startsWith('node_modules/') === true ? 'dependency' : 'ours';
  }
  return 'unknown';
}

/** The module an esbuild bundle holds at a line (1-based), from the last header above it. */
function bundledModuleAt(text: string, line: number): string | undefined {
  let module: string | undefined;
  let start = 0;
  for (let n = 1; n <= line && start < text.length; n++) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (text.startsWith('// ', start)) module = BUNDLED_MODULE.exec(text.slice(start, stop))?.[1] ?? module;
    start = stop + 1;
  }
  return module;
}

/**
 * Whether a warning reaches the user. A dependency's warning is for its authors, not for someone
 * running a kata (Node 22+ says the Kubernetes client's `punycode` and `url.parse()` are
 * deprecated). A deprecation nobody can place is dropped too (a `require` deep in Node's loader
 * cuts the stack off before the caller); any other warning Node gives on its own stays, as Node's
 * warning about NODE_TLS_REJECT_UNAUTHORIZED=0 speaks to the user.
 */
export function warningShown(warning: Error, origin: WarningOrigin): boolean {
  if (origin === 'unknown') return warning.name !== 'DeprecationWarning';
  return origin === 'ours';
}

/**
 * Puts the filter in front of Node's own warning printer, which keeps its format and its switches
 * (--no-warnings, --trace-warnings, NODE_NO_WARNINGS). With KATA_DEBUG every warning is printed.
 */
export function filterWarnings(debug: boolean): void {
  if (debug) return;
  const printers = process.listeners('warning');
  const sources = new Map<string, string>();
  const source = (file: string): string => {
    let text = sources.get(file);
    if (text === undefined) {
      try {
        // latin1: the headers are ASCII, and decoding the 6 MB chunk as UTF-8 takes four times as long.
        text = readFileSync(file, 'latin1');
      } catch {
        text = '';
      }
      sources.set(file, text);
    }
    return text;
  };
  for (const print of printers) process.removeListener('warning', print);
  process.on('warning', (warning) => {
    if (warningShown(warning, warningOrigin(warning.stack, source))) for (const print of printers) print(warning);
  });
}

/**
 * The command's first act, before it loads a command module: the warning filter, and Node's compile
 * cache where Node has it (22.1+; V8's code for the bundle's chunks kept in
 * os.tmpdir()/node-compile-cache between runs, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
 */
export function startUp(env: NodeJS.ProcessEnv = process.env): void {
  filterWarnings(env.KATA_DEBUG !== undefined && env.KATA_DEBUG !== '');
  // Node creates the cache's folder with mkdir -p: a TMPDIR that does not exist must stay that
  // way (the run says so, exit 2), so the cache is only used where the temporary folder is.
  if (existsSync(tmpdir())) (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
