/**
 * Time for the agent: a clock and ONE pending wake-up. The core keeps its own deadlines, so the
 * driver only ever needs "wake me at t"; a later call replaces the earlier one.
 */
import { performance } from 'node:perf_hooks';

export interface Scheduler {
  /** Milliseconds on a monotonic clock (virtual in the simulator). */
  now(): number;
  /** Call `fn` at time `t` (or at once if t has passed), replacing any earlier request. */
  wakeAt(t: number, fn: () => void): void;
  /** Forget the pending wake-up. */
  cancel(): void;
}

/** Real time: performance.now() and one setTimeout. */
export class RealScheduler implements Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;

  now(): number {
    return performance.now();
  }

  wakeAt(t: number, fn: () => void): void {
    if (t === this.at && this.timer) return;
    this.cancel();
    if (!Number.isFinite(t)) return;
    this.at = t;
    // Timers are coarse: wake a little late rather than early and spin.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Infinity;
        fn();
      },
      Math.max(0, Math.ceil(t - this.now())),
    );
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
