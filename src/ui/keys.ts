/**
 * Keys that arrive together (a fast typist, a paste, tmux send-keys) reach Ink as one string:
 * "\x15text\r" would be taken for text. They are split here into the keys they are.
 */
import type { Key } from 'ink';

const NONE: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

/** One input event as the separate keys it holds (the event itself when it is a single key). */
export function splitKeys(input: string, key: Key): Array<[string, Key]> {
  if (input.length <= 1 || !/[\x00-\x1f\x7f]/.test(input) || key.escape || input.startsWith('[')) return [[input, key]];
  const keys: Array<[string, Key]> = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') keys.push([text, NONE]);
    text = '';
  };
  for (const ch of input) {
    const code = ch.charCodeAt(0);
    if (ch === '\r' || ch === '\n') (flush(), keys.push(['\r', { ...NONE, return: true }]));
    else if (ch === '\t') (flush(), keys.push(['', { ...NONE, tab: true }]));
    else if (ch === '\x7f' || ch === '\b') (flush(), keys.push(['', { ...NONE, backspace: true }]));
    else if (code < 32) (flush(), keys.push([String.fromCharCode(code + 96), { ...NONE, ctrl: true }]));
    else text += ch;
  }
  flush();
  return keys;
}
