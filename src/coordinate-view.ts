/**
 * The network coordinates of a membership source as one cached view, for the balancer's latency
 * prior (called on every pick: must not allocate) and for `Cluster.estimateRttMs` / `lookup`'s
 * `near` option. Rebuilt from a members snapshot at most once per `refreshMs` of the given clock:
 * coordinates move slowly, and a snapshot of every member costs an allocation per member.
 */
import { estimateRttMs, compatible, type Coordinate } from './core/coordinate.js';
import type { Member } from './core/types.js';

export class CoordinateView {
  private byName = new Map<string, Coordinate>();
  private builtAt = -Infinity;

  constructor(
    private readonly selfName: string,
    private readonly members: () => readonly Member[],
    private readonly now: () => number,
    private readonly refreshMs = 1000,
  ) {}

  /** The coordinate of `name` (ours for our own name), or undefined when none is known. */
  of(name: string): Coordinate | undefined {
    this.refresh();
    return this.byName.get(name);
  }

  /** Estimated RTT between `a` and `b` (default: us), ms; undefined when either has no coordinate. */
  rttMs(a: string, b = this.selfName): number | undefined {
    const ca = this.of(a);
    const cb = this.byName.get(b);
    return ca && cb && compatible(ca, cb) ? estimateRttMs(ca, cb) : undefined;
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.builtAt < this.refreshMs) return;
    this.builtAt = now;
    const next = new Map<string, Coordinate>();
    for (const m of this.members()) if (m.coordinate) next.set(m.name, m.coordinate);
    this.byName = next;
  }
}
