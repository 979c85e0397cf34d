/**
 * The one shape every algorithm has. A strategy only chooses: the balancer keeps the member
 * table, the leases and the statistics, so algorithms stay small and can be switched at run time
 * without losing state.
 */
import type { Slot } from './stats.js';

/** Chooses one slot per pick. Must not allocate: it runs on every request. */
export interface Strategy {
  /**
   * Choose among `active` (never empty: the pickable members of the best tier), or return
   * undefined when nothing suits (key affinity when none of the key's owners is up).
   */
  pick(active: readonly Slot[], key: string | undefined): Slot | undefined;
}
