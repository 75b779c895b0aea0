/**
 * `kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status`: the local lab.
 * Status and env are results (stdout); the progress of up and down is not (stderr). `status` ends `unavailable`
 * (exit 3) when the lab or its mesh is not there, `failed` when it runs but is not Ready.
 */
import { UsageError, type Outcome } from '../errors.js';
import {
  describeMesh,
  labDown,
  labEnvLines,
  labStatus,
  labUp,
  meshDown,
  meshUp,
  openLabPaths,
  readLabState,
  type LabPaths,
  type Write,
} from '../lab/index.js';

const USAGE = 'Usage: kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status';

/** Runs `kata lab ARGS...`; `write` and `paths` are the caller's to choose in tests. */
export async function labCommand(args: readonly string[], write?: Write, paths: LabPaths = openLabPaths()): Promise<Outcome> {
  const [command, ...rest] = args;
  const out =
    write ??
    ((line: string) =>
      (command === 'status' || command === 'env' || (command === 'mesh' && rest[0] === 'status') ? process.stdout : process.stderr).write(
        `${line}\n`,
      ));
  const only = (allowed: readonly string[]): void => {
    const unknown = rest.find((a) => !allowed.includes(a));
    if (unknown !== undefined) throw usage(`unexpected argument "${unknown}"`);
  };
  switch (command) {
    case 'up':
      only(['--mesh']);
      await labUp(out, paths, { mesh: rest.includes('--mesh') });
      return 'ok';
    case 'down':
      only(['--purge']);
      await labDown(out, { purge: rest.includes('--purge') }, paths);
      return 'ok';
    case 'status': {
      only([]);
      const s = await labStatus(out, paths);
      if (!s.running) return 'unavailable';
      return s.nodeReady && s.dnsReady ? 'ok' : 'failed';
    }
    case 'env':
      only([]);
      for (const line of labEnvLines(paths)) out(line);
      return 'ok';
    case 'mesh':
      return mesh(rest, out, paths);
    case undefined:
      throw usage('missing command');
    default:
      throw usage(`unknown command "${command}"`);
  }
}

async function mesh(args: readonly string[], write: Write, paths: LabPaths): Promise<Outcome> {
  const [what, ...more] = args;
  if (more.length > 0) throw usage(`unexpected argument "${more[0] ?? ''}"`);
  switch (what) {
    case 'up':
      await meshUp(write, paths);
      return 'ok';
    case 'down':
      await meshDown(write, paths);
      return 'ok';
    case 'status': {
      const state = await readLabState(paths);
      if (state.mesh === undefined) {
        write(`kata lab: mesh unknown: ${state.apiError ?? 'the lab is not running'} (start it with \`kata lab up --mesh\`)`);
        return 'unavailable';
      }
      write(`kata lab: mesh: ${describeMesh(state.mesh)}`);
      return state.mesh.ready ? 'ok' : state.mesh.installed ? 'failed' : 'unavailable';
    }
    default:
      throw usage(what === undefined ? 'missing mesh command (up, down or status)' : `unknown mesh command "${what}"`);
  }
}

function usage(message: string): UsageError {
  return new UsageError(message, USAGE, { command: 'lab' });
}
