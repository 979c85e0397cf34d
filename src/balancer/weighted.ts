/**
 * Smooth weighted round-robin, as nginx does it: every pick adds each member's weight to its
 * running weight, takes the member with the highest running weight and takes the total weight
 * back from it. Over any window of sum(weights) picks each member gets exactly its weight's
 * share, and the picks of a heavy member are spread out instead of coming in bursts.
 * O(members) per pick. Weights come from the `weight` tag or `setWeight`.
 */
import type { Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Picks by smooth weighted round-robin over the active members' weights. */
export class Weighted implements Strategy {
  pick(active: readonly Slot[]): Slot | undefined {
    let total = 0;
    let best: Slot | undefined;
    for (let i = 0; i < active.length; i++) {
      const s = active[i]!;
      s.currentWeight += s.weight;
      total += s.weight;
      if (best === undefined || s.currentWeight > best.currentWeight) best = s;
    }
    if (best !== undefined) best.currentWeight -= total;
    return best;
  }
}
