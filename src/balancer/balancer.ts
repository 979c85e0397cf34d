/**
 * The load balancer: membership in (`apply`, `sync`), a lease out per request (`pick`), outcomes
 * back (`lease.done`). Pure: no IO, no timers; time comes from the injected `now()` (ms, any
 * monotonic or virtual clock) and randomness from the injected `Random`, so a simulation with a
 * seed replays exactly.
 *
 * Hot path: `pick` + `done` allocate nothing once the lease pool has grown to the peak number
 * in flight (key affinity allocates only what the `owners` dependency does).
 */
import type { Member, MemberEvent, Random } from '../core/types.js';
import { ClusterError } from '../errors.js';
import { Affinity, type OwnersFn } from './affinity.js';
import { ALGORITHMS, resolveBalancerConfig, type Algorithm, type BalancerConfig } from './config.js';
import { shouldEject } from './ejection.js';
import { Hot } from './hot.js';
import { LeasePool, NONE_AVAILABLE, NO_MEMBERS, NO_OWNER, type Lease, type LeaseResult, type PickResult, type PooledLease } from './lease.js';
import { LeastConnections } from './least-connections.js';
import { MemberTable, type Tier } from './members.js';
import { PowerOfTwo } from './p2c.js';
import { RandomPick } from './random.js';
import { RoundRobin } from './round-robin.js';
import { observePeak, observePlain, snapshot, type MemberStats } from './stats.js';
import type { Strategy } from './strategy.js';
import { Weighted } from './weighted.js';

/** The narrow functions a balancer uses; nothing takes the agent or the ring as a whole. */
export interface BalancerDeps {
  /** Randomness for `random` and `p2c`; seed it in tests and simulations. */
  readonly random: Random;
  /** Current time in ms (monotonic or virtual); drives EWMA decay and ejection periods. */
  now(): number;
  /** The owners of a key, primary first (a Cluster passes its shard map's `lookup`, the one
   * placement its `lookup` and `shards` use); needed only for the 'affinity' algorithm. */
  readonly owners?: OwnersFn;
  /**
   * Estimated RTT to a member (ms) from network coordinates, or undefined when none is known:
   * p2c's latency for a member it has no samples of its own for yet (instead of
   * `initialLatencyMs`), so the first requests already go to near members. Must not allocate.
   */
  readonly rttPriorMs?: (name: string) => number | undefined;
}

/** Picks members for requests and learns from how the requests went. */
export class LoadBalancer {
  /** The resolved configuration (defaults merged, validated). */
  readonly config: Readonly<BalancerConfig>;
  private readonly table: MemberTable;
  private readonly pool: LeasePool;
  /** Times and constants of the call in progress, shared by reference (see hot.ts). */
  private readonly hot = new Hot();
  private readonly strategies: Readonly<Record<Algorithm, Strategy | undefined>>;
  private current: Algorithm;
  private strategy: Strategy;

  constructor(
    init: Partial<BalancerConfig>,
    private readonly deps: BalancerDeps,
  ) {
    this.config = Object.freeze(resolveBalancerConfig(init));
    if (this.config.algorithm === 'affinity' && deps.owners === undefined) {
      throw new ClusterError('ERR_CONFIG', "algorithm ('affinity') needs the owners dependency (the key's owners)");
    }
    this.hot.decayMs = this.config.decayMs;
    this.hot.alpha = this.config.latencyAlpha;
    this.table = new MemberTable(this.config, this.hot);
    this.pool = new LeasePool((lease, result) => this.finish(lease, result), this.hot);
    const p2c = new PowerOfTwo(deps.random, this.hot, deps.rttPriorMs);
    const owners = deps.owners;
    this.strategies = {
      'round-robin': new RoundRobin(),
      random: new RandomPick(deps.random),
      'least-connections': new LeastConnections(),
      weighted: new Weighted(),
      p2c,
      affinity: owners === undefined ? undefined : new Affinity(owners, (name) => this.table.get(name), this.config.replicas, p2c),
    };
    this.current = this.config.algorithm;
    this.strategy = this.strategyFor(this.current);
  }

  /** The algorithm `pick` uses now. */
  get algorithm(): Algorithm {
    return this.current;
  }

  /** Switch algorithms at run time; statistics and leases in flight carry over. */
  setAlgorithm(algorithm: Algorithm): void {
    this.strategy = this.strategyFor(algorithm);
    this.current = algorithm;
  }

  /** Members known (alive or suspect), pickable or not. */
  get size(): number {
    return this.table.size;
  }

  /** Members a keyless pick may choose from right now. */
  available(): number {
    this.tick();
    return this.table.active.length;
  }

  /** Which members picks come from: 'alive', 'suspect' (no alive one is pickable) or 'none'. */
  tier(): Tier {
    this.tick();
    return this.table.tier;
  }

  /** Feed one membership event; the member's state decides (dead and left members are dropped). */
  apply(event: MemberEvent): void {
    this.hot.nowMs = this.deps.now();
    this.table.upsert(event.member);
  }

  /** Replace the whole view with a membership snapshot (on start, or after missing events). */
  sync(members: readonly Member[]): void {
    this.hot.nowMs = this.deps.now();
    const keep = new Set<string>();
    for (const m of members) {
      this.table.upsert(m);
      keep.add(m.name);
    }
    for (const s of [...this.table.slots()]) {
      if (!keep.has(s.name)) this.table.remove(s.name);
    }
  }

  /** Take a member out of picks by hand (false) or give it back (true). Survives leave and rejoin. */
  setHealth(name: string, healthy: boolean): void {
    this.table.setHealth(name, healthy);
  }

  /** Set a member's weight by hand (a finite number > 0), or undefined for its weight tag. */
  setWeight(name: string, weight: number | undefined): void {
    if (weight !== undefined && !(Number.isFinite(weight) && weight > 0)) {
      throw new ClusterError('ERR_ARGUMENT', `weight (${weight}) for ${name} must be a finite number > 0`);
    }
    this.table.setWeight(name, weight);
  }

  /**
   * Choose a member for one request. `key` matters only to 'affinity' (the owner of the
   * key, then its replicas). Returns a lease (`ok: true`) or why nobody can take it (`ok: false`).
   */
  pick(key?: string): PickResult {
    this.tick();
    const active = this.table.active;
    if (active.length === 0) return this.table.size === 0 ? NO_MEMBERS : NONE_AVAILABLE;
    const slot = this.strategy.pick(active, key);
    if (slot === undefined) return NO_OWNER;
    slot.inFlight++;
    slot.picks++;
    return this.pool.take(slot);
  }

  /** Like `pick`, but throws `ClusterError('ERR_NO_MEMBER')` when nobody can take the request. */
  pickOrThrow(key?: string): Lease {
    const r = this.pick(key);
    if (!r.ok) throw new ClusterError('ERR_NO_MEMBER', r.message);
    return r;
  }

  /** A member's statistics now, or undefined if it is not known (never joined, failed, left). */
  stats(name: string): MemberStats | undefined {
    const s = this.table.get(name);
    if (s === undefined) return undefined;
    this.tick();
    return snapshot(s, this.hot.nowMs, this.config.decayMs);
  }

  /** Statistics of every known member, in arrival order. */
  allStats(): MemberStats[] {
    this.tick();
    const now = this.hot.nowMs;
    return this.table.slots().map((s) => snapshot(s, now, this.config.decayMs));
  }

  /** Read the clock once for this call and bring the member table up to date. */
  private tick(): void {
    this.hot.nowMs = this.deps.now();
    this.table.refresh();
  }

  private strategyFor(algorithm: Algorithm): Strategy {
    if (!ALGORITHMS.includes(algorithm)) {
      throw new ClusterError('ERR_ARGUMENT', `algorithm (${String(algorithm)}) must be one of ${ALGORITHMS.join(', ')}`);
    }
    const s = this.strategies[algorithm];
    if (s === undefined) {
      throw new ClusterError('ERR_ARGUMENT', "algorithm 'affinity' needs the owners dependency (the key's owners)");
    }
    return s;
  }

  private finish(lease: PooledLease, result: LeaseResult): void {
    const s = lease.slot;
    const hot = this.hot;
    hot.nowMs = this.deps.now();
    const latency = result.latencyMs ?? hot.nowMs - lease.startedAt;
    s.inFlight--;
    s.requests++;
    if (Number.isFinite(latency) && latency >= 0) {
      hot.latencyMs = latency;
      if (result.ok) {
        observePeak(s, hot);
        observePlain(s, hot);
      } else if (latency > s.peakEwmaMs) {
        // A fast failure (refused, 503) must not make a broken member look cheap to p2c:
        // failures may only raise the estimate.
        observePeak(s, hot);
      }
    }
    if (result.ok) {
      s.consecutiveErrors = 0;
    } else {
      s.errors++;
      this.table.refresh();
      // Failures reported while ejected (requests sent before it) do not count toward the next
      // ejection: the member must fail afresh after its return.
      if (s.present && s.ejectedUntilMs === 0) {
        s.consecutiveErrors++;
        if (shouldEject(s, this.config.ejectAfterErrors)) this.table.tryEject(s);
      }
    }
    this.pool.give(lease);
  }
}

/** Build a balancer: `init` over the documented defaults, validated (throws `ERR_CONFIG`). */
export function createBalancer(init: Partial<BalancerConfig>, deps: BalancerDeps): LoadBalancer {
  return new LoadBalancer(init, deps);
}
