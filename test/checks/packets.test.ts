import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputChecks } from '../../src/checks/output-checks.js';
import { applicationData, CaptureReader, classify } from '../../src/checks/packets.js';
import type { Check } from '../../src/kata/model.js';

/** Real captures, made in a network namespace of our own: curl to a Python HTTP server and to `openssl s_server`. */
const capture = (name: string): string[] =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'captures', `${name}.txt`), 'utf8').split('\n');
const summary = (lines: readonly string[]) => {
  const reader = new CaptureReader();
  for (const line of lines) reader.feed(line);
  return reader.summary();
};
const verdicts = (kind: 'payload-encrypted' | 'payload-plaintext', lines: readonly string[]) => {
  const checks = new OutputChecks([{ kind, inferred: false, line: 1 } satisfies Check]);
  checks.feedLines(lines);
  return checks.finish(0).map((r) => [r.passed, r.detail]);
};

describe('reading a capture packet by packet', () => {
  it('finds plaintext HTTP in a capture of HTTP and keeps the start of it', () => {
    const seen = summary(capture('http-on-lo'));
    expect(seen.packets).toBeGreaterThanOrEqual(6);
    expect(seen.tls).toBe(0);
    expect(seen.http).toBeGreaterThanOrEqual(2);
    expect(seen.plaintextExcerpt).toMatch(/^GET \/ HTTP\/1\.1 \| HTTP\/1\.0 200 OK \| <h1>Welcome to nginx!<\/h1>$/);
  });

  it('finds TLS records and no plaintext in a capture of HTTPS, although the page is the same', () => {
    const seen = summary(capture('https-on-lo'));
    expect(seen.tls).toBeGreaterThanOrEqual(3);
    expect(seen.http + seen.text).toBe(0);
    expect(seen.tlsRecords).toEqual(expect.arrayContaining(['handshake', 'application data']));
  });

  it('strips Ethernet, cooked (-i any) and bare IP headers alike', () => {
    const ip = Buffer.from('4500000000010000400600000a0000010a000002', 'hex');
    const tcpHeader = Buffer.from('0050c738000000010000000150180200000000000', 'hex').subarray(0, 20);
    const tcp = Buffer.concat([ip, tcpHeader, Buffer.from('HTTP/1.1 200 OK\r\n')]);
    tcp.writeUInt16BE(tcp.length, 2);
    const ether = Buffer.concat([Buffer.alloc(12), Buffer.from('0800', 'hex'), tcp]);
    const cooked = Buffer.concat([Buffer.alloc(14), Buffer.from('0800', 'hex'), tcp]);
    for (const frame of [tcp, ether, cooked]) expect(applicationData(frame)?.toString()).toBe('HTTP/1.1 200 OK\r\n');
    expect(applicationData(Buffer.from('0806000108000604', 'hex'))).toBeUndefined();
  });

  it('classifies data by its first bytes', () => {
    expect(classify(Buffer.from('170303001c', 'hex'))).toBe('tls');
    expect(classify(Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\n'))).toBe('http');
    expect(classify(Buffer.from('just some readable text going by'))).toBe('text');
    expect(classify(Buffer.from('0011223344ff00aa', 'hex'))).toBe('binary');
  });
});

describe('expect payload encrypted / plaintext', () => {
  it('passes "encrypted" on TLS and fails it on HTTP, showing the plaintext it saw', () => {
    const [tls] = verdicts('payload-encrypted', capture('https-on-lo'));
    expect(tls?.[0]).toBe(true);
    expect(tls?.[1]).toMatch(/^TLS records \(handshake, .*application data.*\) in \d+ of \d+ packets with data$/);
    const [plain] = verdicts('payload-encrypted', capture('http-on-lo'));
    expect(plain?.[0]).toBe(false);
    expect(plain?.[1]).toMatch(
      /^plaintext HTTP in \d+, readable text in \d+ of \d+ packets with data; plaintext seen: "GET \/ HTTP\/1\.1 \| /,
    );
    expect(plain?.[1]).toContain('Welcome to nginx!');
  });

  it('passes "plaintext" on HTTP and fails it on TLS', () => {
    expect(verdicts('payload-plaintext', capture('http-on-lo'))[0]?.[0]).toBe(true);
    expect(verdicts('payload-plaintext', capture('https-on-lo'))[0]?.[0]).toBe(false);
  });

  it('never passes on an empty capture', () => {
    const empty = ['tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes', '0 packets captured'];
    expect(verdicts('payload-encrypted', empty)).toEqual([[false, 'the output holds no tcpdump -X/-XX hex dump (no packets captured?)']]);
    expect(verdicts('payload-plaintext', empty)[0]?.[0]).toBe(false);
  });

  it('does not count a capture of handshakes without data as encrypted traffic', () => {
    const handshakeOnly = capture('http-on-lo').slice(0, 24);
    const [result] = verdicts('payload-encrypted', handshakeOnly);
    expect(result?.[0]).toBe(false);
  });
});
