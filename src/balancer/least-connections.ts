/**
 * Least connections: the member with the fewest leases in flight. A slow member holds its leases
 * longer and so is picked less. The scan starts one place further each time so that ties (an
 * idle cluster) spread round-robin instead of piling on the first member. O(members) per pick
 * at worst; an idle member (nothing in flight) cannot be beaten, so the scan stops at the first.
 */
import type { Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Picks the active member with the fewest in-flight leases. */
export class LeastConnections implements Strategy {
  private start = 0;

  pick(active: readonly Slot[]): Slot | undefined {
    const n = active.length;
    if (this.start >= n) this.start = 0;
    const from = this.start++;
    let best: Slot | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let i = from; i < n; i++) {
      const s = active[i]!;
      if (s.inFlight < bestLoad) {
        if (s.inFlight === 0) return s;
        best = s;
        bestLoad = s.inFlight;
      }
    }
    for (let i = 0; i < from; i++) {
      const s = active[i]!;
      if (s.inFlight < bestLoad) {
        if (s.inFlight === 0) return s;
        best = s;
        bestLoad = s.inFlight;
      }
    }
    return best;
  }
}
