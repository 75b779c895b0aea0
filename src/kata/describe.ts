/** Human wording of model parts, shared by `kata plan`, the reporters and the UI. */
import type { BackgroundBound, Check } from './model.js';

/** One line saying what a check verifies, e.g. `output contains "Welcome to nginx!"`. */
export function describeCheck(check: Check): string {
  switch (check.kind) {
    case 'contains':
      return `output contains ${JSON.stringify(check.text)}`;
    case 'not-contains':
      return `output does not contain ${JSON.stringify(check.text)}`;
    case 'matches':
      return `output matches /${check.pattern}/`;
    case 'exit':
      return `exit status is ${check.code}`;
    case 'payload-contains':
      return `captured packet payload contains ${JSON.stringify(check.text)}`;
    case 'payload-not-contains':
      return `captured packet payload does not contain ${JSON.stringify(check.text)}`;
    case 'payload-encrypted':
      return 'captured packet payload is encrypted (TLS records, no plaintext)';
    case 'payload-plaintext':
      return 'captured packet payload holds plaintext (HTTP or readable text)';
    case 'output-like':
      return `output looks like the block at line ${check.blockLine}`;
    case 'status':
      return `HTTP status ${check.code} is printed`;
    case 'ephemeral-container':
      return `pod ${check.pod} has an ephemeral container with image ${check.image}`;
  }
}

/** "for 10s" / "while s4 runs". */
export function describeBound(bound: BackgroundBound): string {
  return bound.kind === 'for' ? `for ${formatDuration(bound.ms)}` : `while step ${bound.step} runs`;
}

/** 10000 -> "10s", 90000 -> "1m30s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m === 0 ? `${s}s` : s === 0 ? `${m}m` : `${m}m${s}s`;
}
