/**
 * Decodes the hex dump tcpdump prints with -X / -XX into the bytes of each packet.
 * The ASCII column is not trusted: it shows '.' for every non-printable byte and a phrase is
 * cut at every 16th byte, so "Welcome to nginx!" may sit on two dump lines. Only the hex is read.
 */

const DUMP_LINE = /^\s+0x([0-9a-f]{4,}):\s+(.*)$/i;
const HEX_GROUPS = /^[0-9a-f]{2,4}(?: [0-9a-f]{2,4})*$/i;

/** Returns the bytes a dump line carries, or undefined when the line is not part of a hex dump. */
export function dumpLineBytes(line: string): Buffer | undefined {
  return dumpLine(line)?.bytes;
}

/** A dump line's offset within its packet (0 starts a new packet) and its bytes. */
export function dumpLine(line: string): { readonly offset: number; readonly bytes: Buffer } | undefined {
  const match = DUMP_LINE.exec(line);
  if (match === null) return undefined;
  // The hex groups are separated by one space; two or more spaces start the ASCII column.
  const hex = (match[2] as string).split(/\s{2,}/)[0]?.trim() ?? '';
  if (!HEX_GROUPS.test(hex)) return undefined;
  const digits = hex.replace(/ /g, '');
  if (digits.length % 2 !== 0) return undefined;
  return { offset: Number.parseInt(match[1] as string, 16), bytes: Buffer.from(digits, 'hex') };
}

/** Decodes a whole capture: the payload bytes of all dump lines, in order. */
export function decodeCapture(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const line of text.split('\n')) {
    const bytes = dumpLineBytes(line);
    if (bytes !== undefined) parts.push(bytes);
  }
  return Buffer.concat(parts);
}
