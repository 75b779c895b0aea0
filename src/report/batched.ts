/**
 * A writer that gathers what is written during one turn of the event loop and hands it to `sink`
 * in one piece: a run of 500 quick steps makes hundreds of writes instead of thousands of
 * syscalls, and the output still appears as it happens. `flush` writes what is pending now.
 */
export interface BatchedWriter {
  (text: string): void;
  flush(): void;
}

export function batchedWriter(sink: (text: string) => void): BatchedWriter {
  let pending = '';
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    sink(text);
  };
  const write = (text: string): void => {
    pending += text;
    if (pending.length >= 64 * 1024) flush();
    else scheduled ??= setImmediate(flush);
  };
  return Object.assign(write, { flush });
}
