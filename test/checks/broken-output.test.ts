import { describe, expect, it } from 'vitest';
import { breakOutput, judgeBroken } from '../../src/checks/broken-output.js';
import type { Check } from '../../src/kata/model.js';

const at = { inferred: false, line: 7 } as const;

/** The check's verdict on the broken copy of `lines`: false means it can fail (it proves something). */
function holdsOnBroken(check: Check, lines: readonly string[], exitCode = 0): boolean | undefined {
  const broken = breakOutput(check, lines);
  return broken === undefined ? undefined : judgeBroken(check, broken, exitCode)?.passed;
}

/** tcpdump -X lines for `text` (16 bytes a line), as a packet starting at offset 0. */
function dump(bytes: Buffer): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.subarray(offset, offset + 16);
    lines.push(
      `\t0x${offset.toString(16).padStart(4, '0')}:  ${(chunk.toString('hex').match(/.{1,4}/g) ?? []).join(' ')}  ................`,
    );
  }
  return lines;
}

/** An IPv4/TCP packet (no link header, as -X prints it) carrying `data`. */
function packet(data: Buffer): string[] {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + data.length, 2);
  ip[9] = 6;
  const tcp = Buffer.alloc(20);
  tcp[12] = 0x50;
  return ['12:00:00.000000 IP a.1 > b.80: Flags [P.]', ...dump(Buffer.concat([ip, tcp, data]))];
}

describe('a broken copy of a step’s output', () => {
  it('takes the expected text out, even where removing it joins it again, so a contains check fails', () => {
    expect(holdsOnBroken({ kind: 'contains', text: 'Welcome to nginx!', ...at }, ['<h1>Welcome to nginx!</h1>'])).toBe(false);
    expect(holdsOnBroken({ kind: 'contains', text: 'ab', ...at }, ['aabb'])).toBe(false);
    expect(holdsOnBroken({ kind: 'contains', text: 'two\nlines', ...at }, ['two', 'lines'])).toBe(false);
  });

  it('shows an empty text proves nothing', () => {
    expect(holdsOnBroken({ kind: 'contains', text: '', ...at }, ['anything'])).toBe(true);
  });

  it('puts the unwanted text in for a not-contains check', () => {
    expect(holdsOnBroken({ kind: 'not-contains', text: 'Error', ...at }, ['all good'])).toBe(false);
  });

  it('removes what a pattern matched: a pattern that also matches nothing proves nothing', () => {
    expect(holdsOnBroken({ kind: 'matches', pattern: '\\d+: lo:', ...at }, ['1: lo: <LOOPBACK,UP>', '2: eth0@if7: <UP>'])).toBe(false);
    expect(holdsOnBroken({ kind: 'matches', pattern: 'x*', ...at }, ['copy.txt'])).toBe(true);
    expect(holdsOnBroken({ kind: 'matches', pattern: '.*', ...at }, ['a'])).toBe(true);
  });

  it('drops the dump lines carrying a payload text, across lines, and adds a packet for payload not-contains', () => {
    const capture = packet(Buffer.from('HTTP/1.1 200 OK\r\n\r\n<h1>Welcome to nginx!</h1>'));
    expect(holdsOnBroken({ kind: 'payload-contains', text: 'Welcome to nginx!', ...at }, capture)).toBe(false);
    const other = packet(Buffer.from('GET / HTTP/1.1\r\nHost: web\r\n\r\n'));
    expect(holdsOnBroken({ kind: 'payload-not-contains', text: 'Welcome to nginx!', ...at }, other)).toBe(false);
  });

  it('drops the packets that make a capture encrypted or plaintext', () => {
    const tls = packet(Buffer.from([23, 3, 3, 0, 16, ...Buffer.alloc(16, 0xab)]));
    const http = packet(Buffer.from('GET / HTTP/1.1\r\nHost: web\r\n\r\n'));
    expect(holdsOnBroken({ kind: 'payload-encrypted', ...at }, tls)).toBe(false);
    expect(holdsOnBroken({ kind: 'payload-plaintext', ...at }, [...tls, ...http])).toBe(false);
  });

  it('has no broken copy for an exit status or an API check', () => {
    expect(breakOutput({ kind: 'exit', code: 0, ...at }, [])).toBeUndefined();
    expect(breakOutput({ kind: 'ephemeral-container', pod: '<web POD>', image: 'busybox', ...at }, [])).toBeUndefined();
  });
});
