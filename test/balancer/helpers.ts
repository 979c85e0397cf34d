/** Test fixtures for the balancer: a settable clock, member snapshots, a balancer on a seeded PRNG. */
import { SeededRandom } from '../../src/runtime/random.js';
import type { Member, MemberState } from '../../src/core/types.js';
import { createBalancer, type BalancerConfig, type LoadBalancer, type OwnersFn } from '../../src/balancer/index.js';

/** A clock the test moves by hand, in ms. */
export class Clock {
  t = 0;
  readonly now = (): number => this.t;
}

/** A member snapshot. */
export function member(name: string, state: MemberState = 'alive', tags: Record<string, string> = {}): Member {
  return { name, address: `${name}:7946`, state, incarnation: 1, tags, stateChangedAt: 0 };
}

/** Names m0..m(n-1). */
export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `m${i}`);
}

/** A balancer with `n` alive members, a seeded PRNG and a manual clock. */
export function setup(
  n: number,
  init: Partial<BalancerConfig> = {},
  opts: { seed?: number; owners?: OwnersFn; tags?: (i: number) => Record<string, string> } = {},
): { lb: LoadBalancer; clock: Clock } {
  const clock = new Clock();
  const lb = createBalancer(init, {
    random: new SeededRandom(opts.seed ?? 42),
    now: clock.now,
    ...(opts.owners ? { owners: opts.owners } : {}),
  });
  names(n).forEach((name, i) => lb.apply({ type: 'join', member: member(name, 'alive', opts.tags?.(i) ?? {}), previous: undefined }));
  return { lb, clock };
}

/** Pick `count` times, finishing each lease at once with `latencyMs`; returns picks per member. */
export function countPicks(lb: LoadBalancer, count: number, latencyMs = 1, key?: () => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const r = lb.pick(key?.());
    if (!r.ok) throw new Error(`pick failed: ${r.message}`);
    counts.set(r.member.name, (counts.get(r.member.name) ?? 0) + 1);
    r.done({ ok: true, latencyMs });
  }
  return counts;
}

/**
 * Discrete-event load in virtual time: a request every `intervalMs`, each held for the latency
 * `latencyOf(name)` returns (ms) before `done`. Returns picks per member.
 */
export function simulate(lb: LoadBalancer, clock: Clock, requests: number, intervalMs: number, latencyOf: (name: string) => number): Map<string, number> {
  const counts = new Map<string, number>();
  // Pending completions kept sorted by time; small sizes, so insertion sort is fine here.
  const pending: { at: number; lease: { done(r: { ok: boolean; latencyMs?: number }): void } }[] = [];
  for (let i = 0; i < requests; i++) {
    const t = i * intervalMs;
    while (pending.length > 0 && pending[0]!.at <= t) {
      const p = pending.shift()!;
      clock.t = p.at;
      p.lease.done({ ok: true });
    }
    clock.t = t;
    const r = lb.pick();
    if (!r.ok) throw new Error(`pick failed: ${r.message}`);
    counts.set(r.member.name, (counts.get(r.member.name) ?? 0) + 1);
    const at = t + latencyOf(r.member.name);
    let j = pending.length;
    while (j > 0 && pending[j - 1]!.at > at) j--;
    pending.splice(j, 0, { at, lease: r });
  }
  return counts;
}
