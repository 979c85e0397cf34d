/**
 * Shard placement, side by side: 1024 shards, 100 members, 3 replicas. For each method: the worst
 * max/mean over the base set and every set one join or one leave away (the target must hold
 * after the change too), replica slots moved by one join and one leave against the ideal, time
 * per placement, and whether it is a pure function of the member set. Then a sweep over member
 * counts around 100, because where a capped method's cap steps (floor(1.05 × mean) drops from 32
 * to 31 between 100 and 101 members) decides what one join at exactly 100 costs.
 */
import { HashRing } from '../../src/ring/hash-ring.js';
import { ShardMap } from '../../src/ring/shard-map.js';
import type { PlacementMethod } from '../../src/ring/placement.js';
import { maglev, replay, stable, type Candidate } from './candidates.js';

type Assignment = ReadonlyMap<number, readonly string[]>;

/** One method: places `members` from nothing (pure methods), or from `previous` (sticky). */
interface Method {
  readonly name: string;
  readonly pure: boolean;
  place(members: readonly string[], previous?: readonly string[]): Assignment;
}

/** One row of the placement table. */
export interface PlacementRow {
  method: string;
  pure: boolean;
  worstMaxMean: number;
  stdMean: number;
  movedOnJoin: number;
  idealJoin: number;
  movedOnLeave: number;
  idealLeave: number;
  placeMs: number;
  sharedReplicas: number;
}

/** Mean movement factors of one method over a range of member counts. */
export interface SweepRow {
  method: string;
  sizes: number[];
  worstMaxMean: number;
  joinFactor: number;
  leaveFactor: number;
  worstFactor: number;
}

const SHARDS = 1024;
const REPLICAS = 3;

/** Milliseconds of the last placement proper (sticky's rebuild of its previous state excluded). */
let lastMs = 0;

function shardMap(placement: PlacementMethod, capacityFactor = 1.05): Method['place'] {
  return (members, previous) => {
    const map = new ShardMap({ shards: SHARDS, replicas: REPLICAS, placement, capacityFactor });
    // Only sticky reads the previous assignment; the pure methods place from nothing.
    if (previous && placement === 'sticky') map.createShards(previous.map((name) => ({ name })));
    const t0 = performance.now();
    map.rebalance(members.map((name) => ({ name })));
    lastMs = performance.now() - t0;
    return map.assignment();
  };
}
const timed = (f: Method['place']): Method['place'] => (members, previous) => {
  const t0 = performance.now();
  const a = f(members, previous);
  lastMs = performance.now() - t0;
  return a;
};
const candidate = (f: Candidate, c = 1.05): Method['place'] => timed((members) => f(members, SHARDS, REPLICAS, c));

/** Every method measured; `rounds (c=1.05)` is the ShardMap default. */
export const METHODS: readonly Method[] = [
  {
    name: 'vnode ring lookup(shard, 3)',
    pure: true,
    place: timed((members) => {
      const r = HashRing.from(members.map((name) => ({ name })), { vnodes: 256 });
      return new Map(Array.from({ length: SHARDS }, (_, s) => [s, r.lookup(`shard:${s}`, REPLICAS)]));
    }),
  },
  { name: 'rendezvous', pure: true, place: shardMap('rendezvous') },
  { name: 'bounded (c=1.05)', pure: true, place: shardMap('bounded') },
  { name: 'stable matching (c=1.05)', pure: true, place: candidate(stable) },
  { name: 'maglev fill (c=1.05)', pure: true, place: candidate(maglev) },
  { name: 'replayed sticky', pure: true, place: candidate(replay) },
  { name: '**rounds (c=1.05)**', pure: true, place: shardMap('rounds') },
  { name: 'rounds (c=1.10)', pure: true, place: shardMap('rounds', 1.1) },
  { name: 'rounds (no cap)', pure: true, place: shardMap('rounds', 100) },
  { name: 'sticky (history)', pure: false, place: shardMap('sticky') },
];

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}:7946`);

function loads(a: Assignment): Map<string, number> {
  const c = new Map<string, number>();
  for (const o of a.values()) for (const m of o) c.set(m, (c.get(m) ?? 0) + 1);
  return c;
}
const maxMean = (a: Assignment, members: number): number => Math.max(...loads(a).values()) / ((SHARDS * REPLICAS) / members);
function moved(a: Assignment, b: Assignment): number {
  let k = 0;
  for (const [s, o] of a) k += (b.get(s) ?? []).filter((m) => !o.includes(m)).length;
  return k;
}

interface Trial {
  worst: number;
  join: number;
  idealJoin: number;
  leave: number;
  idealLeave: number;
  ms: number;
  base: Assignment;
}

/** `trials` joins (a new name) and `trials` leaves (spread over the base) from `n` members. */
function measure(m: Method, n: number, trials: number): Trial {
  const base = names(n);
  const a0 = m.place(base);
  const out: Trial = { worst: maxMean(a0, n), join: 0, idealJoin: 0, leave: 0, idealLeave: 0, ms: 0, base: a0 };
  for (let t = 0; t < trials; t++) {
    const joined = [...base, `joiner-${t}`];
    const a1 = m.place(joined, base);
    out.ms += lastMs;
    out.worst = Math.max(out.worst, maxMean(a1, n + 1));
    out.join += moved(a0, a1) / trials;
    out.idealJoin += (SHARDS * REPLICAS) / (n + 1) / trials;
    const victim = base[(t * 17) % n]!;
    const a2 = m.place(base.filter((x) => x !== victim), base);
    out.worst = Math.max(out.worst, maxMean(a2, n - 1));
    out.leave += moved(a0, a2) / trials;
    out.idealLeave += (loads(a0).get(victim) ?? 0) / trials;
  }
  out.ms /= trials;
  return out;
}

/** The placement table at `members` members. */
export function placementTable(members: number, trials: number): PlacementRow[] {
  return METHODS.map((m) => {
    const r = measure(m, members, trials);
    const ls = [...loads(r.base).values()];
    const mean = (SHARDS * REPLICAS) / members;
    const sd = Math.sqrt(ls.reduce((s, x) => s + (x - mean) ** 2, 0) / ls.length);
    let shared = 0;
    for (const o of r.base.values()) if (new Set(o).size !== o.length) shared++;
    process.stderr.write('.');
    return {
      method: m.name,
      pure: m.pure,
      worstMaxMean: r.worst,
      stdMean: sd / mean,
      movedOnJoin: r.join,
      idealJoin: r.idealJoin,
      movedOnLeave: r.leave,
      idealLeave: r.idealLeave,
      placeMs: r.ms,
      sharedReplicas: shared,
    };
  });
}

/** Mean movement factors over `sizes` for the pure methods that keep max/mean <= 1.05 (and rounds c=1.10). */
export function sweep(sizes: number[], trials: number): SweepRow[] {
  const pick = METHODS.filter((m) => /bounded|stable|maglev|rounds \(c=1\.10\)|\*\*rounds/.test(m.name));
  return pick.map((m) => {
    const rs = sizes.map((n) => measure(m, n, trials));
    process.stderr.write('.');
    const f = rs.map((r) => [r.join / r.idealJoin, r.leave / r.idealLeave] as const);
    return {
      method: m.name,
      sizes,
      worstMaxMean: Math.max(...rs.map((r) => r.worst)),
      joinFactor: f.reduce((s, x) => s + x[0], 0) / f.length,
      leaveFactor: f.reduce((s, x) => s + x[1], 0) / f.length,
      worstFactor: Math.max(...f.flat()),
    };
  });
}
