/**
 * Keys that arrive together (a fast typist, a paste, tmux send-keys) reach Ink as one string:
 * "\x15text\r" would be taken for text. They are split here into the keys they are.
 */
import type { Key } from 'ink';

const NONE: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
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
    const special: Partial<Key> | undefined =
      ch === '\r' || ch === '\n'
        ? { return: true }
        : ch === '\t'
          ? { tab: true }
          : ch === '\x7f' || ch === '\b'
            ? { backspace: true }
            : code < 32
              ? { ctrl: true }
              : undefined;
    if (special === undefined) {
      text += ch;
      continue;
    }
    flush();
    keys.push([special.return === true ? '\r' : special.ctrl === true ? String.fromCharCode(code + 96) : '', { ...NONE, ...special }]);
  }
  flush();
  return keys;
}
