/**
 * Key affinity: send a key to the member that owns it, or to the next of its replicas
 * when the owner is down, so that caches and data stay where the key lives. An alive owner is
 * preferred to a suspect one at any rank. It never falls back to a non-owner (that member would
 * not have the data): when no owner is up the pick fails with reason 'no-owner'. A pick without
 * a key has nothing to be affine to and goes to the fallback strategy (p2c).
 *
 * The owners are a narrow dependency, `owners(key, n)` (a Cluster passes its shard map's
 * `lookup`, so affinity, `cluster.lookup` and `shards-changed` agree), so this file needs
 * nothing from `ring/`.
 * Picks allocate only what `owners` allocates.
 */
import type { Slot } from './stats.js';
import type { Strategy } from './strategy.js';

/** The placement, as key affinity sees it: the key's first `n` distinct owners, primary first. */
export type OwnersFn = (key: string, n: number) => readonly string[];

/** Picks the first available owner of the key, alive before suspect. */
export class Affinity implements Strategy {
  constructor(
    private readonly owners: OwnersFn,
    private readonly lookup: (name: string) => Slot | undefined,
    private readonly replicas: number,
    private readonly fallback: Strategy,
  ) {}

  pick(active: readonly Slot[], key: string | undefined): Slot | undefined {
    if (key === undefined) return this.fallback.pick(active, key);
    const names = this.owners(key, this.replicas);
    const alive = this.first(names, true);
    return alive ?? this.first(names, false);
  }

  private first(names: readonly string[], aliveOnly: boolean): Slot | undefined {
    for (let i = 0; i < names.length; i++) {
      const s = this.lookup(names[i]!);
      if (s === undefined || !s.present || !s.healthy || s.ejectedUntilMs !== 0) continue;
      const st = s.member.state;
      if (st === 'alive' || (!aliveOnly && st === 'suspect')) return s;
    }
    return undefined;
  }
}
