/** The editor's keys as a pure function of its state, so the App's one key handler can apply them. */
import type { Key } from 'ink';
import type { Step } from '../kata/model.js';
import { commandsWith, valueProblems, type Edits } from './edits.js';

/** A field of the editor: a placeholder value or a command. */
export type Field = { readonly kind: 'value'; readonly name: string } | { readonly kind: 'command'; readonly index: number };

export interface EditorState {
  readonly draft: Edits;
  readonly selected: number;
}

export interface EditorContext {
  readonly step: Step;
  /** The commands as the engine would run them now. */
  readonly asked: readonly string[];
  readonly values: ReadonlyMap<string, string>;
}

export function fieldsOf(step: Step): Field[] {
  return [
    ...step.placeholders.map((p) => ({ kind: 'value' as const, name: p.name })),
    ...step.commands.map((_, index) => ({ kind: 'command' as const, index })),
  ];
}

/** The text of a field in the draft. */
export function fieldText(field: Field, state: EditorState, context: EditorContext): string {
  if (field.kind === 'value') return state.draft.values[field.name] ?? context.values.get(field.name) ?? '';
  return commandsWith(context.step, context.asked, context.values, state.draft)[field.index] ?? '';
}

function change(field: Field, text: string, state: EditorState, context: EditorContext): EditorState {
  const { draft } = state;
  if (field.kind === 'value') {
    const { [field.name]: _old, ...rest } = draft.values;
    return {
      ...state,
      draft: { ...draft, values: text === (context.values.get(field.name) ?? '') ? rest : { ...rest, [field.name]: text } },
    };
  }
  const { [field.index]: _old, ...rest } = draft.commands;
  const own = commandsWith(context.step, context.asked, context.values, { values: draft.values, commands: {} })[field.index];
  return { ...state, draft: { ...draft, commands: text === own ? rest : { ...rest, [field.index]: text } } };
}

export type EditorOutcome =
  { readonly kind: 'edit'; readonly state: EditorState } | { readonly kind: 'done'; readonly edits: Edits } | { readonly kind: 'cancel' };

/** Applies one key to the editor. */
export function editorKey(state: EditorState, input: string, key: Key, context: EditorContext): EditorOutcome {
  const fields = fieldsOf(context.step);
  const field = fields[state.selected];
  const edit = (next: EditorState): EditorOutcome => ({ kind: 'edit', state: next });
  if (key.escape) return { kind: 'cancel' };
  if (key.return) return Object.keys(valueProblems(state.draft)).length === 0 ? { kind: 'done', edits: state.draft } : edit(state);
  if (key.upArrow || (key.tab && key.shift)) return edit({ ...state, selected: (state.selected + fields.length - 1) % fields.length });
  if (key.downArrow || key.tab) return edit({ ...state, selected: (state.selected + 1) % fields.length });
  if (field === undefined) return edit(state);
  if (key.ctrl && input === 'u') return edit(change(field, '', state, context));
  if (key.ctrl && input === 'r')
    return edit(change(field, fieldText(field, { ...state, draft: { values: {}, commands: {} } }, context), state, context));
  if (key.backspace || key.delete) return edit(change(field, fieldText(field, state, context).slice(0, -1), state, context));
  if (key.ctrl || key.meta || input === '') return edit(state);
  return edit(change(field, fieldText(field, state, context) + input.replace(/[\r\n]/g, ''), state, context));
}
