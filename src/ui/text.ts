/** Output lines made safe for the screen: no escape sequences or control characters, tabs expanded, secrets masked. */
import { redact } from '../redact.js';

// CSI and OSC sequences, then any other C0/C1 control character but tab.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** A line of command output as the UI shows it. */
export function screenLine(line: string): string {
  return redact(line.replace(ESCAPES, '').replace(CONTROLS, '').replace(/\t/g, '    '));
}

/** Numbers with thousands separators: 200000 -> "200,000". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
