/**
 * Shard placement, side by side at 100 members and 3 replicas, each method at one or more shard
 * counts (1024 was the default, 8192 is). For each: the worst max/mean over the base set and
 * every set one join or one leave away (the target must hold after the change too), replica
 * slots moved by one join and one leave against the ideal, time per placement, and whether it is
 * a pure function of the member set. Then a sweep over member counts around 100, because where a
 * capped method's cap steps (floor(1.05 × mean) drops from 32 to 31 between 100 and 101 members
 * at 1024 shards) decides what one join at exactly 100 costs; and the default at other sizes.
 */
import { HashRing } from '../../src/ring/hash-ring.js';
import { ShardMap } from '../../src/ring/shard-map.js';
import type { PlacementMethod } from '../../src/ring/placement.js';
import { maglev, multiProbe, replay, stable, type Candidate } from './candidates.js';

type Assignment = ReadonlyMap<number, readonly string[]>;

/** One method: places `members` from nothing (pure methods), or from `previous` (sticky). */
interface Method {
  readonly name: string;
  readonly pure: boolean;
  readonly shards: number;
  place(members: readonly string[], previous?: readonly string[]): Assignment;
}

/** One row of the placement table. */
export interface PlacementRow {
  method: string;
  pure: boolean;
  shards: number;
  members: number;
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
  shards: number;
  sizes: number[];
  worstMaxMean: number;
  joinFactor: number;
  leaveFactor: number;
  worstFactor: number;
}

const REPLICAS = 3;

/** Milliseconds of the last placement proper (sticky's rebuild of its previous state excluded). */
let lastMs = 0;

function shardMap(shards: number, placement: PlacementMethod, capacityFactor = 1.05): Method['place'] {
  return (members, previous) => {
    const map = new ShardMap({ shards, replicas: REPLICAS, placement, capacityFactor });
    // Only sticky reads the previous assignment; the pure methods place from nothing.
    if (previous && placement === 'sticky') map.createShards(previous.map((name) => ({ name })));
    const t0 = performance.now();
    map.rebalance(members.map((name) => ({ name })));
    lastMs = performance.now() - t0;
    return map.assignment();
  };
}
const timed =
  (f: Method['place']): Method['place'] =>
  (members, previous) => {
    const t0 = performance.now();
    const a = f(members, previous);
    lastMs = performance.now() - t0;
    return a;
  };
const candidate = (shards: number, f: Candidate, c = 1.05): Method['place'] => timed((members) => f(members, shards, REPLICAS, c));
const vnodeRing =
  (shards: number): Method['place'] =>
  (members) => {
    const t0 = performance.now();
    const r = HashRing.from(
      members.map((name) => ({ name })),
      { vnodes: 256 },
    );
    const a = new Map(Array.from({ length: shards }, (_, s) => [s, r.lookup(`shard:${s}`, REPLICAS)]));
    lastMs = performance.now() - t0;
    return a;
  };

/** The ShardMap default: rounds, c = 1.05, 8192 shards. */
export const DEFAULT_METHOD = '**rounds (c=1.05), 8192 shards**';

/** Every method measured, by shard count (balance and movement depend on replicas per member). */
export const METHODS: readonly Method[] = [
  { name: 'vnode ring lookup(shard, 3)', pure: true, shards: 1024, place: vnodeRing(1024) },
  { name: 'rendezvous', pure: true, shards: 1024, place: shardMap(1024, 'rendezvous') },
  { name: 'multi-probe CH (21 probes)', pure: true, shards: 1024, place: candidate(1024, multiProbe(21)) },
  { name: 'bounded (c=1.05)', pure: true, shards: 1024, place: shardMap(1024, 'bounded') },
  { name: 'stable matching (c=1.05)', pure: true, shards: 1024, place: candidate(1024, stable) },
  { name: 'maglev fill (c=1.05)', pure: true, shards: 1024, place: candidate(1024, maglev) },
  { name: 'replayed sticky', pure: true, shards: 1024, place: candidate(1024, replay) },
  { name: 'rounds (c=1.05), 1024 shards (the old default)', pure: true, shards: 1024, place: shardMap(1024, 'rounds') },
  { name: 'rounds (c=1.10)', pure: true, shards: 1024, place: shardMap(1024, 'rounds', 1.1) },
  { name: 'rounds (no cap)', pure: true, shards: 1024, place: shardMap(1024, 'rounds', 100) },
  { name: 'sticky (history)', pure: false, shards: 1024, place: shardMap(1024, 'sticky') },
  { name: 'rendezvous', pure: true, shards: 4096, place: shardMap(4096, 'rendezvous') },
  { name: 'multi-probe CH (21 probes)', pure: true, shards: 4096, place: candidate(4096, multiProbe(21)) },
  { name: 'bounded (c=1.05)', pure: true, shards: 4096, place: shardMap(4096, 'bounded') },
  { name: 'rounds (c=1.05), 2048 shards', pure: true, shards: 2048, place: shardMap(2048, 'rounds') },
  { name: 'rounds (c=1.05), 4096 shards', pure: true, shards: 4096, place: shardMap(4096, 'rounds') },
  { name: DEFAULT_METHOD, pure: true, shards: 8192, place: shardMap(8192, 'rounds') },
  { name: 'rendezvous', pure: true, shards: 8192, place: shardMap(8192, 'rendezvous') },
  { name: 'multi-probe CH (21 probes)', pure: true, shards: 8192, place: candidate(8192, multiProbe(21)) },
  { name: 'rounds (c=1.05), 16384 shards', pure: true, shards: 16384, place: shardMap(16384, 'rounds') },
];

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}:7946`);

function loads(a: Assignment): Map<string, number> {
  const c = new Map<string, number>();
  for (const o of a.values()) for (const m of o) c.set(m, (c.get(m) ?? 0) + 1);
  return c;
}
const maxMean = (a: Assignment, members: number, shards: number): number => Math.max(...loads(a).values()) / ((shards * REPLICAS) / members);
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
  const SHARDS = m.shards;
  const a0 = m.place(base);
  const out: Trial = { worst: maxMean(a0, n, SHARDS), join: 0, idealJoin: 0, leave: 0, idealLeave: 0, ms: 0, base: a0 };
  for (let t = 0; t < trials; t++) {
    const joined = [...base, `joiner-${t}`];
    const a1 = m.place(joined, base);
    out.ms += lastMs;
    out.worst = Math.max(out.worst, maxMean(a1, n + 1, SHARDS));
    out.join += moved(a0, a1) / trials;
    out.idealJoin += (SHARDS * REPLICAS) / (n + 1) / trials;
    const victim = base[(t * 17) % n]!;
    const a2 = m.place(
      base.filter((x) => x !== victim),
      base,
    );
    out.worst = Math.max(out.worst, maxMean(a2, n - 1, SHARDS));
    out.leave += moved(a0, a2) / trials;
    out.idealLeave += (loads(a0).get(victim) ?? 0) / trials;
  }
  out.ms /= trials;
  return out;
}

/** The placement table at `members` members (`methods`: every method, or the few named). */
export function placementTable(members: number, trials: number, methods: readonly Method[] = METHODS): PlacementRow[] {
  return methods.map((m) => {
    const r = measure(m, members, trials);
    const ls = [...loads(r.base).values()];
    const mean = (m.shards * REPLICAS) / members;
    const sd = Math.sqrt(ls.reduce((s, x) => s + (x - mean) ** 2, 0) / ls.length);
    let shared = 0;
    for (const o of r.base.values()) if (new Set(o).size !== o.length) shared++;
    process.stderr.write('.');
    return {
      method: m.name,
      pure: m.pure,
      shards: m.shards,
      members,
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
  const pick = METHODS.filter(
    (m) => (m.shards === 1024 && /bounded|stable|rounds \(c=1\.(05|10)\)/.test(m.name)) || (m.shards > 1024 && m.shards <= 8192 && /rounds/.test(m.name)),
  );
  return pick.map((m) => {
    const rs = sizes.map((n) => measure(m, n, trials));
    process.stderr.write('.');
    const f = rs.map((r) => [r.join / r.idealJoin, r.leave / r.idealLeave] as const);
    return {
      method: m.name,
      shards: m.shards,
      sizes,
      worstMaxMean: Math.max(...rs.map((r) => r.worst)),
      joinFactor: f.reduce((s, x) => s + x[0], 0) / f.length,
      leaveFactor: f.reduce((s, x) => s + x[1], 0) / f.length,
      worstFactor: Math.max(...f.flat()),
    };
  });
}

/** The default placement at other cluster sizes: where its targets hold and where they stop. */
export function defaultAtSizes(sizes: readonly number[], trials: number): PlacementRow[] {
  const m = METHODS.find((x) => x.name === DEFAULT_METHOD)!;
  return sizes.flatMap((n) => placementTable(n, trials, [m]));
}
