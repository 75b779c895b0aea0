/**
 * Reads a tcpdump -X / -XX capture packet by packet: each packet's frame is decoded from its hex
 * dump (a dump restarts at offset 0x0000 for every packet), its link, IP and TCP/UDP headers are
 * skipped, and what remains (the data the application sent) is classified as a TLS record,
 * plaintext (HTTP or readable text) or other bytes. This is what "the capture shows an encrypted
 * response" and "it shows un-encrypted traffic" can be checked against: TLS records start with a
 * content type and a protocol version, readable HTTP starts with a request or a status line.
 */
import { dumpLine } from './hexdump.js';

/** What the data of one packet looks like. */
export type PayloadKind = 'tls' | 'http' | 'text' | 'binary';

/** A summary of a capture's application data, bounded whatever its size. */
export interface CaptureSummary {
  /** Packets seen in the dump. */
  readonly packets: number;
  /** Packets that carried application data (not bare ACKs, SYNs or FINs). */
  readonly withData: number;
  /** Packets whose data starts with a TLS record header. */
  readonly tls: number;
  /** Packets whose data is plaintext HTTP (a request or status line). */
  readonly http: number;
  /** Packets whose data is other readable text. */
  readonly text: number;
  /** The start of the first few plaintext packets seen, printable characters only, joined by " | ". */
  readonly plaintextExcerpt?: string;
  /** The TLS record types seen first, e.g. "handshake", "application data". */
  readonly tlsRecords: readonly string[];
}

const EXCERPT_CHARS = 100;
const EXCERPT_PACKETS = 3;
const HTTP_REQUEST = /^(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE) \S+ HTTP\/\d(?:\.\d)?\r?\n/;
const HTTP_STATUS = /^HTTP\/\d(?:\.\d)? \d{3}[ \r\n]/;
const TLS_TYPES: Readonly<Record<number, string>> = { 20: 'change cipher spec', 21: 'alert', 22: 'handshake', 23: 'application data' };

/** Feeds capture lines and keeps a summary: only the packet being dumped is held in memory. */
export class CaptureReader {
  private current: Buffer[] = [];
  private packets = 0;
  private withData = 0;
  private tls = 0;
  private http = 0;
  private text = 0;
  private readonly excerpts: string[] = [];
  private readonly tlsRecords: string[] = [];

  feed(line: string): void {
    const dump = dumpLine(line);
    if (dump === undefined) return;
    if (dump.offset === 0) this.flush();
    this.current.push(dump.bytes);
  }

  summary(): CaptureSummary {
    this.flush();
    return {
      packets: this.packets,
      withData: this.withData,
      tls: this.tls,
      http: this.http,
      text: this.text,
      tlsRecords: [...this.tlsRecords],
      ...(this.excerpts.length === 0 ? {} : { plaintextExcerpt: this.excerpts.join(' | ') }),
    };
  }

  private flush(): void {
    if (this.current.length === 0) return;
    const frame = Buffer.concat(this.current);
    this.current = [];
    this.packets += 1;
    const data = applicationData(frame);
    if (data === undefined || data.length === 0) return;
    this.withData += 1;
    const kind = classify(data);
    if (kind === 'tls') {
      this.tls += 1;
      const type = TLS_TYPES[data[0] as number] as string;
      if (!this.tlsRecords.includes(type)) this.tlsRecords.push(type);
    } else if (kind === 'http' || kind === 'text') {
      if (kind === 'http') this.http += 1;
      else this.text += 1;
      if (this.excerpts.length < EXCERPT_PACKETS)
        this.excerpts.push(kind === 'http' ? httpExcerpt(data) : printable(data.subarray(0, EXCERPT_CHARS * 2)).slice(0, EXCERPT_CHARS));
    }
  }
}

/**
 * The data a frame carries above TCP or UDP, or undefined when the frame is not IP. The frame
 * may start with an Ethernet header (-XX; Linux loopback has one too), a Linux cooked header
 * (`-i any`: SLL or SLL2), or directly with the IP header (-X).
 */
export function applicationData(frame: Buffer): Buffer | undefined {
  for (const start of ipStarts(frame)) {
    const data = ipPayload(frame, start);
    if (data !== undefined) return data;
  }
  return undefined;
}

function ipStarts(frame: Buffer): number[] {
  const starts: number[] = [];
  const etherType = (at: number): number => (frame.length >= at + 2 ? frame.readUInt16BE(at) : -1);
  if (etherType(12) === 0x0800 || etherType(12) === 0x86dd) starts.push(14);
  if (etherType(14) === 0x0800 || etherType(14) === 0x86dd) starts.push(16); // SLL
  if (etherType(0) === 0x0800 || etherType(0) === 0x86dd) starts.push(20); // SLL2
  starts.push(0);
  return starts;
}

function ipPayload(frame: Buffer, ip: number): Buffer | undefined {
  if (frame.length < ip + 20) return undefined;
  const version = (frame[ip] as number) >> 4;
  let protocol: number;
  let headerEnd: number;
  let end: number;
  if (version === 4) {
    const ihl = ((frame[ip] as number) & 0x0f) * 4;
    if (ihl < 20) return undefined;
    protocol = frame[ip + 9] as number;
    headerEnd = ip + ihl;
    end = Math.min(frame.length, ip + frame.readUInt16BE(ip + 2));
  } else if (version === 6) {
    if (frame.length < ip + 40) return undefined;
    protocol = frame[ip + 6] as number;
    headerEnd = ip + 40;
    end = Math.min(frame.length, headerEnd + frame.readUInt16BE(ip + 4));
  } else {
    return undefined;
  }
  if (end < headerEnd) return undefined;
  if (protocol === 6) {
    if (end < headerEnd + 20) return undefined;
    const offset = ((frame[headerEnd + 12] as number) >> 4) * 4;
    if (offset < 20) return undefined;
    return frame.subarray(Math.min(end, headerEnd + offset), end);
  }
  if (protocol === 17) return frame.subarray(Math.min(end, headerEnd + 8), end);
  return undefined;
}

/** TLS when the data starts with a record header (type 20-23, version 3.0-3.4, a sane length). */
export function classify(data: Buffer): PayloadKind {
  if (
    data.length >= 5 &&
    TLS_TYPES[data[0] as number] !== undefined &&
    data[1] === 3 &&
    (data[2] as number) <= 4 &&
    data.readUInt16BE(3) <= 18_432
  ) {
    return 'tls';
  }
  const head = data.subarray(0, 512).toString('latin1');
  if (HTTP_REQUEST.test(head) || HTTP_STATUS.test(head)) return 'http';
  if (data.length >= 16 && printableShare(data) >= 0.9) return 'text';
  return 'binary';
}

function printableShare(data: Buffer): number {
  let n = 0;
  for (const byte of data) if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x0d || byte === 0x09) n += 1;
  return n / data.length;
}

/** An HTTP message as its first line and the start of its body, the parts that say what it was. */
function httpExcerpt(data: Buffer): string {
  const text = data.subarray(0, 4096).toString('latin1');
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim();
  const bodyAt = text.indexOf('\r\n\r\n');
  const body =
    bodyAt === -1 ? '' : printable(Buffer.from(text.slice(bodyAt + 4, bodyAt + 4 + EXCERPT_CHARS * 2), 'latin1')).slice(0, EXCERPT_CHARS);
  return body === '' ? firstLine.slice(0, EXCERPT_CHARS) : `${firstLine.slice(0, EXCERPT_CHARS)} ... ${body}`;
}

/** Bytes as one line of text: line breaks as spaces, other non-printables as '.'. */
function printable(data: Buffer): string {
  let out = '';
  for (const byte of data)
    out += byte === 0x0a || byte === 0x0d || byte === 0x09 ? ' ' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  return out.replace(/ {2,}/g, ' ').trim();
}
