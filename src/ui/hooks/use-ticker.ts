import { useEffect, useState } from 'react';

/** A counter that goes up every `ms` while `active` (spinners, the elapsed time); idle otherwise. */
export function useTicker(active: boolean, ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return tick;
}
