/**
 * The Kata model: what a kata's Markdown means to the runner. Pure data, no behaviour, so the
 * engine, the UI, the reporters and `kata plan --json` all read the same thing.
 */

/** Where a command runs: the learner's own shell, or a shell the kata opened in a pod. */
export const HOST = 'host';

/** A heading of the kata. */
export interface Section {
  /** Heading text as written, without the `#` marks. */
  readonly title: string;
  /** 1 for `#`, 2 for `##`, ... */
  readonly level: number;
  /** 1-based line of the heading. */
  readonly line: number;
  /** True when this heading starts the cleanup phase (Cleanup / Clean up, any level). */
  readonly cleanup: boolean;
}

/** A `<...>` value the learner (or the runner, through the API) has to supply. */
export interface Placeholder {
  /** The name without angle brackets, e.g. `nginx POD`. */
  readonly name: string;
  /** For `<NAME POD>`: the app label value the pod is looked up by. */
  readonly podOfApp?: string;
}

/** How a context is opened: the command that starts a long-lived shell in a pod. */
export interface ShellOpener {
  /** `exec` into a running container, `debug` attaches an ephemeral container, `run` starts a pod. */
  readonly kind: 'exec' | 'debug' | 'run';
  /** The pod (or `deploy/x`, or a placeholder) as written in the command. */
  readonly target: string;
  /** The shell started in it (`bash`, `sh`, ...). */
  readonly shell: string;
  /** `--image` of `kubectl debug` / `kubectl run`. */
  readonly image?: string;
  /** `-c`/`--container` (exec) or `--target` (debug) when given. */
  readonly container?: string;
  /** Everything between `kubectl` and `--` as tokens, for the engine to rebuild the command. */
  readonly args: readonly string[];
}

/** A shell context a kata opens. */
export interface ContextInfo {
  readonly name: string;
  /** Id of the step that opens it. */
  readonly openedBy: string;
  readonly opener: ShellOpener;
  /** Words the prose uses for it ("tooling", "debugging"), used to resolve "from the X container". */
  readonly aliases: readonly string[];
}

/** How long a background step keeps running. */
export type BackgroundBound =
  /** Stop it after this long. */
  | { readonly kind: 'for'; readonly ms: number }
  /** Run step `step` (again, if it already ran) while this one runs, then stop this one. */
  | { readonly kind: 'while'; readonly step: string };

/** A promise of the text, turned into something the runner can verify. */
export type Check = CheckKind & {
  /** For an inferred check: the words of the kata it was inferred from (a sentence, clipped), for `kata plan`. */
  readonly because?: string;
};

/** What a check verifies. */
export type CheckKind =
  | { readonly kind: 'contains' | 'not-contains'; readonly text: string; readonly inferred: boolean; readonly line: number }
  | { readonly kind: 'matches'; readonly pattern: string; readonly inferred: boolean; readonly line: number }
  | { readonly kind: 'exit'; readonly code: number; readonly inferred: boolean; readonly line: number }
  | { readonly kind: 'payload-contains' | 'payload-not-contains'; readonly text: string; readonly inferred: boolean; readonly line: number }
  /**
   * The capture's application data is TLS (records, and no plaintext HTTP or text), or holds
   * plaintext (HTTP or readable text): "you will see an encrypted response".
   */
  | { readonly kind: 'payload-encrypted' | 'payload-plaintext'; readonly inferred: boolean; readonly line: number }
  /**
   * The output looks like an expected-output block of the kata ("you should see something like:"):
   * its stable lines, tolerant of what varies between runs (src/kata/expected-output.ts says what).
   */
  | {
      readonly kind: 'output-like';
      readonly expected: string;
      readonly blockLine: number;
      readonly inferred: boolean;
      readonly line: number;
    }
  /**
   * The command printed this HTTP status: in a status line (`curl -i`/`-v`, `wget -S`) or, when
   * `format` is the command's `curl -w` format, where that format puts `%{http_code}`.
   */
  | { readonly kind: 'status'; readonly code: number; readonly format?: string; readonly inferred: boolean; readonly line: number }
  | {
      readonly kind: 'ephemeral-container';
      readonly pod: string;
      readonly image: string;
      readonly inferred: boolean;
      readonly line: number;
    };

/** One command of a step, as written (placeholders unresolved). */
export interface Command {
  readonly text: string;
  /** 1-based line of its first source line. */
  readonly line: number;
  /** Long-running by nature (tcpdump without -c, logs -f, --watch, endless loops). */
  readonly longRunning: boolean;
}

export type Phase = 'main' | 'cleanup';

/** Why a step runs where it runs: shown by `kata plan` and used by `kata lint`. */
export type ContextReason = 'annotation' | 'kubectl-on-host' | 'host-cue' | 'named-cue' | 'most-recent' | 'no-context-open';

/** One step: a code block of the kata (or a part of one, where a block switches context). */
export interface Step {
  /** Stable id: `id NAME` from an annotation, else `s<N>` in document order. */
  readonly id: string;
  /** 1-based line of the first line of code this step covers (the fence line for shown blocks). */
  readonly line: number;
  /** 1-based line of the fence that opens the code block. */
  readonly blockLine: number;
  /** Title of the nearest heading above, or '' before the first heading. */
  readonly section: string;
  readonly phase: Phase;
  /** The Markdown that introduces the step (everything since the previous code block). */
  readonly prose: string;
  /** 1-based line where `prose` starts. */
  readonly proseLine: number;
  /** Info string of the fence (`console`, `yaml`, ... or '' when unlabelled). */
  readonly lang: string;
  /** The code block's content as written. */
  readonly code: string;
  /** False for blocks that are shown, not run (output, yaml, `skip`). */
  readonly run: boolean;
  /** Why a block is shown and not run. */
  readonly shownReason?: string;
  /** `host` or the name of a context. */
  readonly context: string;
  readonly contextReason: ContextReason;
  /** Name of the context this step opens (its last command is the opener). */
  readonly opens?: string;
  readonly commands: readonly Command[];
  readonly background: boolean;
  /** Present when `background`. `inferred` when the kata did not state it. */
  readonly bound?: BackgroundBound & { readonly inferred: boolean };
  readonly timeoutMs?: number;
  /** Re-run the step until its checks pass, for at most this long. */
  readonly retryMs?: number;
  /** Why `retryMs` was inferred, when the kata did not annotate it. */
  readonly retryInferred?: string;
  /** For a step the text asks to run again ("re-run the `curl` command"): the id of the step it repeats. */
  readonly rerunOf?: string;
  /** Requirements such as `mesh`: when absent from the cluster the step is skipped, not passed. */
  readonly needs: readonly string[];
  /** Why `needs` was inferred, when the kata did not annotate it: "the text assumes Istio (line 9)". */
  readonly needsInferred?: string;
  readonly placeholders: readonly Placeholder[];
  readonly checks: readonly Check[];
}

/** A problem found while reading a kata that does not stop it from being planned. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly message: string;
}

/** A kata: its title, headings, steps and the contexts those steps open. */
export interface Kata {
  /** Path as given by the caller. */
  readonly file: string;
  readonly title: string;
  readonly sections: readonly Section[];
  readonly steps: readonly Step[];
  readonly contexts: readonly ContextInfo[];
  /** Warnings noticed while inferring (ambiguous context, unbounded background, ...). */
  readonly diagnostics: readonly Diagnostic[];
}
