/**
 * Power of two choices over peak-EWMA cost (Finagle's and Linkerd's balancer): draw two distinct
 * members at random and take the cheaper, where cost = peak-EWMA latency × (in-flight + 1).
 * Two random draws avoid the herd that "always the least loaded" causes when many clients share
 * stale views, yet still steer away from slow or busy members; O(1) per pick.
 */
import type { Random } from '../core/types.js';
import { p2cCost, type Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Picks the cheaper of two random active members by peak-EWMA × (in-flight + 1). */
export class PowerOfTwo implements Strategy {
  constructor(
    private readonly random: Random,
    /** Peak-EWMA time constant, in ms. */
    private readonly decayMs: number,
  ) {}

  pick(active: readonly Slot[], _key: string | undefined, now: number): Slot | undefined {
    const n = active.length;
    if (n <= 1) return active[0];
    const i = this.random.int(n);
    let j = this.random.int(n - 1);
    if (j >= i) j++;
    const a = active[i]!;
    const b = active[j]!;
    return p2cCost(b, now, this.decayMs) < p2cCost(a, now, this.decayMs) ? b : a;
  }
}
