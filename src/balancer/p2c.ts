/**
 * Power of two choices over peak-EWMA cost (Finagle's and Linkerd's balancer): draw two distinct
 * members at random and take the cheaper, where cost = peak-EWMA latency × (in-flight + 1).
 * Two random draws avoid the herd that "always the least loaded" causes when many clients share
 * stale views, yet still steer away from slow or busy members; O(1) per pick. A member with no
 * answers yet costs its estimated RTT (network coordinates) when the balancer was given one.
 */
import type { Random } from '../core/types.js';
import type { Hot } from './hot.js';
import { decayPeak, type Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Picks the cheaper of two random active members by peak-EWMA × (in-flight + 1). */
export class PowerOfTwo implements Strategy {
  constructor(
    private readonly random: Random,
    /** Time of the pick in progress and the decay constant, written by the balancer. */
    private readonly hot: Hot,
    /** Estimated RTT (network coordinates) for members without samples of their own yet. */
    private readonly prior?: (name: string) => number | undefined,
  ) {}

  pick(active: readonly Slot[]): Slot | undefined {
    const n = active.length;
    if (n <= 1) return active[0];
    const i = this.random.int(n);
    let j = this.random.int(n - 1);
    if (j >= i) j++;
    const a = active[i]!;
    const b = active[j]!;
    decayPeak(a, this.hot);
    decayPeak(b, this.hot);
    return this.latency(b) * (b.inFlight + 1) < this.latency(a) * (a.inFlight + 1) ? b : a;
  }

  /** Peak EWMA once the member has answered; until then the estimated RTT, when there is one. */
  private latency(s: Slot): number {
    if (s.requests > 0 || this.prior === undefined) return s.peakEwmaMs;
    const p = this.prior(s.name);
    return p !== undefined && p >= 0 ? p : s.peakEwmaMs;
  }
}
