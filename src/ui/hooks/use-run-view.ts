import { useSyncExternalStore } from 'react';
import type { RunSnapshot, RunView } from '../run-view.js';

/** The run's latest snapshot; re-renders when the view publishes (batched while output streams). */
export function useRunView(view: RunView): RunSnapshot {
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}
