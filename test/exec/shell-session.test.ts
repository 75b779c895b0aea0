import { afterEach, describe, expect, it } from 'vitest';
import { HostShell } from '../../src/exec/shell-session.js';
import { isAlive } from '../../src/exec/procs.js';

const shells: HostShell[] = [];
const shell = (): HostShell => {
  const s = new HostShell({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } });
  shells.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(shells.splice(0).map((s) => s.close()));
});

async function run(s: HostShell, command: string, timeoutMs = 10_000) {
  const lines: string[] = [];
  const result = await s.run(command, { timeoutMs, onLines: (l) => lines.push(...l) });
  return { ...result, lines };
}

describe('HostShell', () => {
  it('keeps cd, exports and variables from one command to the next', async () => {
    const s = shell();
    await run(s, 'cd /tmp && export GREETING=hello; name=world');
    const result = await run(s, 'echo "$GREETING $name from $(pwd)"');
    expect(result).toMatchObject({ exitCode: 0, lines: ['hello world from /tmp'] });
  });

  it('reports exit status, stderr in order with stdout, and a last line without newline', async () => {
    const s = shell();
    expect(await run(s, 'echo out; echo err >&2; printf partial; exit_status() { return 3; }; exit_status')).toMatchObject({
      exitCode: 3,
      lines: ['out', 'err', 'partial'],
    });
    expect(await run(s, 'printf "a\\n\\nb\\n\\n"')).toMatchObject({ lines: ['a', '', 'b', ''] });
  });

  it('survives a syntax error and commands that read stdin', async () => {
    const s = shell();
    const broken = await run(s, 'echo "never closed');
    expect(broken.exitCode).not.toBe(0);
    expect(await run(s, 'cat; echo after-cat')).toMatchObject({ exitCode: 0, lines: ['after-cat'] });
    expect(await run(s, 'echo still here')).toMatchObject({ exitCode: 0, lines: ['still here'] });
  });

  it('runs multi-line commands, heredocs and loops as one', async () => {
    const s = shell();
    expect(await run(s, "for i in 1 2\ndo\n  echo $i\ndone\ncat <<EOF\nin 'quotes'\nEOF")).toMatchObject({
      exitCode: 0,
      lines: ['1', '2', "in 'quotes'"],
    });
  });

  it('interrupts a command at its timeout and keeps the shell and its state', async () => {
    const s = shell();
    await run(s, 'export KEPT=yes');
    const slow = await run(s, 'echo started; sleep 30', 500);
    expect(slow).toMatchObject({ timedOut: true, exitCode: 130, sessionLost: false, lines: ['started'] });
    expect(await run(s, 'echo $KEPT')).toMatchObject({ lines: ['yes'] });
  });

  it('stops the command when the run is aborted', async () => {
    const s = shell();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await s.run('sleep 30', { timeoutMs: 60_000, onLines: () => {}, signal: controller.signal });
    expect(result).toMatchObject({ interrupted: true, timedOut: false });
    expect(s.alive).toBe(true);
  });

  it('runs background jobs in the shell state and stops them with SIGINT so they can flush', async () => {
    const s = shell();
    await run(s, 'cd /tmp && export WHO=job');
    const lines: string[] = [];
    const job = await s.startBackground(
      `trap 'echo flushed from $(pwd); exit 0' INT; echo "hello $WHO"; while :; do sleep 0.1; done`,
      (l) => lines.push(...l),
    );
    expect(await run(s, 'echo foreground still works')).toMatchObject({ lines: ['foreground still works'] });
    await expect.poll(() => lines).toContain('hello job');
    const code = await job.stop();
    expect(code).toBe(0);
    expect(lines).toEqual(['hello job', 'flushed from /tmp']);
    expect(isAlive(job.pid)).toBe(false);
  });

  it('kills background jobs that ignore SIGINT, and leaves no process behind on close', async () => {
    const s = shell();
    const said: string[] = [];
    const job = await s.startBackground(`trap '' INT TERM; echo traps-set; sleep 60`, (l) => said.push(...l));
    await expect.poll(() => said).toContain('traps-set');
    const pid = job.pid;
    const code = await job.stop(300);
    expect(code).toBe(137);
    const other = await s.startBackground('sleep 60', () => {});
    const shellPid = s.pid;
    await s.close();
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(other.pid)).toBe(false);
    expect(isAlive(shellPid)).toBe(false);
  });

  it('keeps memory bounded for long output lines', async () => {
    const s = shell();
    let longest = 0;
    let total = 0;
    const result = await s.run('head -c 3000000 /dev/zero | tr "\\0" x', {
      timeoutMs: 10_000,
      onLines: (ls) => {
        for (const l of ls) {
          longest = Math.max(longest, l.length);
          total += l.length;
        }
      },
    });
    expect(result.exitCode).toBe(0);
    expect(total).toBe(3_000_000);
    expect(longest).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('FrameParser', () => {
  it('cuts a long last line into bounded pieces when the marker arrives in the same chunk', async () => {
    const { FrameParser } = await import('../../src/exec/framing.js');
    const parser = new FrameParser('KATAx');
    const lines: string[] = [];
    let code = -1;
    parser.onLines = (l) => lines.push(...l);
    parser.onEnd = (c) => (code = c);
    parser.push('y'.repeat(60_000));
    parser.push(`${'y'.repeat(100_000)}\x1eKATAx:3\x1e\n`);
    expect(code).toBe(3);
    expect(lines.join('')).toBe('y'.repeat(160_000));
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(64 * 1024);
  });
});
