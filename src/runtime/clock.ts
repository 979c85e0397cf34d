/**
 * Time for the parts outside the core that need one-shot timers as well as a clock (the Cluster
 * facade's shard placement): both from one place, so that in the simulator both are virtual.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds on a monotonic clock (virtual in the simulator). */
  now(): number;
  /** Call `fn` once, `ms` from now on this clock. Returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Real time: performance.now() and setTimeout, unref'd (a pending timer never keeps a process alive). */
export const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};
