/**
 * Uniform random choice: stateless, so many clients need no coordination; like round-robin it
 * ignores load, and its spread is only even on average.
 */
import type { Random } from '../core/types.js';
import type { Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** Picks uniformly among the active members with the injected `Random`. */
export class RandomPick implements Strategy {
  constructor(private readonly random: Random) {}

  pick(active: readonly Slot[]): Slot | undefined {
    return active[this.random.int(active.length)];
  }
}
