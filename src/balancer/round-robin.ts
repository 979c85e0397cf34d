/**
 * Round-robin: each pickable member in turn. Exactly even when the set is stable; ignores how
 * busy or slow members are, so one slow member gets its full share of the traffic.
 */
import type { Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Cycles through the active members in table order. */
export class RoundRobin implements Strategy {
  private next = 0;

  pick(active: readonly Slot[]): Slot | undefined {
    // The set may have shrunk since the last pick: wrap instead of skipping a turn.
    if (this.next >= active.length) this.next = 0;
    return active[this.next++];
  }
}
