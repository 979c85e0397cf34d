/**
 * Ring benchmark (`npm run bench:ring`): our HashRing side by side with a plain reference (the
 * ~30-line sorted Uint32Array + binary search + fingerprint32 ring below) and the npm rings a
 * Node user would pick instead; then the ShardMap placements (bench/ring/placement.ts). Prints
 * tables and writes bench/results/ring.json. Options: `--keys N` (default 1,000,000),
 * `--budget-ms N` (time cap per measurement for the slow npm rings and for every lookup(key, 3),
 * default 1000), `--rounds N` (default 3; medians, rounds interleaved between the fast rings),
 * `--move-keys N` (keys checked for movement, default 200,000), `--trials N` (joins and leaves
 * per placement, default 5), `--quick` (200k keys, 1 round, 100 and 1000 members × 256 only,
 * 3 trials, a 3-size sweep; for iterating, not for the record: no results file),
 * `--placement-only` (the owner lookups and the placement tables only; no results file),
 * `--lookups-only` (the owner lookups only; writes bench/results/ring-lookups.json).
 *
 * Owner lookups: `cluster.lookup`, key affinity and `/v1/lookup` walked the HashRing before
 * issue 17 and read the ShardMap since (one placement for every owner answer); both are timed
 * side by side in interleaved rounds, the before beside the after.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import farmhash from 'farmhash';
import { HashRing } from '../src/ring/hash-ring.js';
import { ShardMap } from '../src/ring/shard-map.js';
import { Cluster } from '../src/cluster.js';
import { SeededRandom } from '../src/runtime/random.js';
import type { Member } from '../src/core/types.js';
import { DEFAULT_METHOD, defaultAtSizes, placementTable, sweep } from './ring/placement.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const QUICK = process.argv.includes('--quick');
const LOOKUPS_ONLY = process.argv.includes('--lookups-only');
const PLACEMENT_ONLY = LOOKUPS_ONLY || process.argv.includes('--placement-only');
const KEYS = arg('keys', QUICK ? 200_000 : 1_000_000);
const BUDGET_MS = arg('budget-ms', QUICK ? 300 : 1000);
const ROUNDS = arg('rounds', QUICK ? 1 : 3);
/** Keys compared before/after one add and one removal (the first of the looked-up keys). */
const MOVE_KEYS = arg('move-keys', QUICK ? 50_000 : 200_000);
const TRIALS = arg('trials', QUICK ? 3 : 5);
const MEMBERS = QUICK ? [100, 1000] : [10, 100, 1000];
const VNODES = QUICK ? [256] : [100, 256];
const SWEEP = QUICK ? [96, 100, 104] : [90, 94, 98, 100, 102, 106, 110];

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

// ---- the plain reference: sorted points, parallel owners, binary search ----
class ReferenceRing {
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;
  constructor(
    private readonly names: readonly string[],
    vnodes: number,
  ) {
    const pairs: [number, number][] = [];
    names.forEach((n, o) => {
      for (let i = 0; i < vnodes; i++) pairs.push([farmhash.fingerprint32(`${n}#${i}`), o]);
    });
    pairs.sort((a, b) => a[0] - b[0]);
    this.points = Uint32Array.from(pairs, (p) => p[0]);
    this.owners = Uint32Array.from(pairs, (p) => p[1]);
  }
  lookup(key: string): string | undefined {
    const h = farmhash.fingerprint32(key);
    const p = this.points;
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.names[this.owners[lo === p.length ? 0 : lo]!];
  }
}

// ---- npm rings, loaded untyped and narrowed to what we call ----
const require = createRequire(import.meta.url);
interface Ring {
  lookup(key: string): unknown;
  lookupN?(key: string, n: number): unknown;
  add(name: string): void;
  remove(name: string): void;
}
type Impl = { name: string; slow: boolean; build(names: string[], vnodes: number): Ring };
function load(mod: string): unknown {
  try {
    return require(mod);
  } catch {
    return undefined;
  }
}
type Ctor<T> = new (...args: unknown[]) => T;
const impls: Impl[] = [
  {
    name: 'phantom HashRing',
    slow: false,
    build: (names, vnodes) => {
      const r = HashRing.from(
        names.map((name) => ({ name })),
        { vnodes },
      );
      return { lookup: (k) => r.lookup(k), lookupN: (k, n) => r.lookup(k, n), add: (n) => void r.add({ name: n }), remove: (n) => void r.remove(n) };
    },
  },
  {
    name: 'reference (30 lines)',
    slow: false,
    build: (names, vnodes) => {
      let cur = [...names];
      let r = new ReferenceRing(cur, vnodes);
      return {
        lookup: (k) => r.lookup(k),
        add: (n) => void (r = new ReferenceRing((cur = [...cur, n]), vnodes)),
        remove: (n) => void (r = new ReferenceRing((cur = cur.filter((x) => x !== n)), vnodes)),
      };
    },
  },
];
const HashringLib = load('hashring') as
  | Ctor<{ get(k: string): unknown; range(k: string, n: number): unknown; add(s: unknown): void; remove(s: string): void }>
  | undefined;
if (HashringLib) {
  impls.push({
    name: 'hashring (md5)',
    slow: true,
    build: (names, vnodes) => {
      // hashring makes 4 points per vnode (ketama layout).
      const servers = Object.fromEntries(names.map((n) => [n, { vnodes: Math.round(vnodes / 4) }]));
      const r = new HashringLib(servers);
      return {
        lookup: (k) => r.get(k),
        lookupN: (k, n) => r.range(k, n),
        add: (n) => r.add({ [n]: { vnodes: Math.round(vnodes / 4) } }),
        remove: (n) => r.remove(n),
      };
    },
  });
}
const KetamaLib = (
  load('ketama') as
    | {
        HashRing?: Ctor<{
          addNode(n: string, w?: number): void;
          removeNode(n: string): void;
          getNode(k: string): unknown;
          getNodes(k: string, n: number): unknown;
        }>;
      }
    | undefined
)?.HashRing;
if (KetamaLib) {
  impls.push({
    name: 'ketama (sha1)',
    slow: true,
    build: (names, vnodes) => {
      // ketama places round(weight × 50) points per node.
      // Its addNode re-sorts the whole clock, so building is O(n² log n): capped like below.
      const w = vnodes / 50;
      const r = new KetamaLib([]);
      const t0 = performance.now();
      for (const n of names) {
        r.addNode(n, w);
        if (performance.now() - t0 > 10 * BUDGET_MS) throw new Error(`build > ${10 * BUDGET_MS} ms`);
      }
      return { lookup: (k) => r.getNode(k), lookupN: (k, n) => r.getNodes(k, n), add: (n) => r.addNode(n, w), remove: (n) => r.removeNode(n) };
    },
  });
}
const ConsistentHashLib = load('consistent-hash') as
  | Ctor<{ add(n: string, points: number): void; remove(n: string): void; get(k: string, count?: number): unknown }>
  | undefined;
if (ConsistentHashLib) {
  impls.push({
    name: 'consistent-hash (PJW, random points)',
    slow: true,
    build: (names, vnodes) => {
      const r = new ConsistentHashLib({ range: 1000003 });
      for (const n of names) r.add(n, vnodes);
      return { lookup: (k) => r.get(k), lookupN: (k, n) => r.get(k, n), add: (n) => r.add(n, vnodes), remove: (n) => r.remove(n) };
    },
  });
}
const ConsistentHashingLib = load('consistent-hashing') as
  | Ctor<{ addNode(n: string): void; removeNode(n: string): void; getNode(k: string): unknown }>
  | undefined;
if (ConsistentHashingLib) {
  impls.push({
    name: 'consistent-hashing (md5)',
    slow: true,
    build: (names, vnodes) => {
      const r = new ConsistentHashingLib([], { replicas: vnodes });
      const t0 = performance.now();
      for (const n of names) {
        r.addNode(n);
        if (performance.now() - t0 > 10 * BUDGET_MS) throw new Error(`build > ${10 * BUDGET_MS} ms`);
      }
      return { lookup: (k) => r.getNode(k), add: (n) => r.addNode(n), remove: (n) => r.removeNode(n) };
    },
  });
}

// ---- keys: seeded, so every run looks up the same 1M keys ----
let seed = 0x9e3779b9;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};
const keys = Array.from({ length: KEYS }, () => `key:${rnd().toString(36)}:${rnd().toString(36)}`);

/** Lookups per second over `keys` (all of them, or as many as fit in the budget). */
function rate(f: (k: string) => unknown, slow: boolean, out?: unknown[]): { perSec: number; n: number } {
  const t0 = performance.now();
  let i = 0;
  let sink = 0;
  if (!slow) {
    for (; i < keys.length; i++) if (f(keys[i]!) !== undefined) sink++;
  } else {
    for (; i < keys.length; i++) {
      const o = f(keys[i]!);
      out?.push(o);
      if ((i & 15) === 0 && performance.now() - t0 > BUDGET_MS) {
        i++;
        break;
      }
    }
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return { perSec: (i / ms) * 1000, n: i };
}

function balance(owners: readonly unknown[], n: number): { maxMean: number; stdMean: number } {
  const count = new Map<unknown, number>();
  for (const o of owners) count.set(o, (count.get(o) ?? 0) + 1);
  const mean = owners.length / n;
  const xs = [...count.values()];
  while (xs.length < n) xs.push(0);
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  return { maxMean: Math.max(...xs) / mean, stdMean: sd / mean };
}

const heap = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}:7946`);

interface RingRow {
  impl: string;
  members: number;
  vnodes: number;
  buildMs?: number;
  memoryMB?: number;
  lookupsPerSec?: number;
  lookupKeys?: number;
  lookup3PerSec?: number;
  maxMean?: number;
  stdMean?: number;
  movedOnAdd?: number;
  idealAdd?: number;
  movedOnRemove?: number;
  idealRemove?: number;
  error?: string;
}
const rows: RingRow[] = [];

for (const members of PLACEMENT_ONLY ? [] : MEMBERS) {
  for (const vnodes of VNODES) {
    const ns = names(members);
    const fast: { row: RingRow; ring: Ring }[] = [];
    for (const impl of impls) {
      const row: RingRow = { impl: impl.name, members, vnodes };
      rows.push(row);
      try {
        const m0 = heap();
        const t0 = performance.now();
        const ring = impl.build(ns, vnodes);
        row.buildMs = performance.now() - t0;
        row.memoryMB = (heap() - m0) / 2 ** 20;
        const sample: unknown[] = [];
        if (impl.slow) {
          const r = rate((k) => ring.lookup(k), true, sample);
          row.lookupsPerSec = r.perSec;
          row.lookupKeys = r.n;
        } else {
          // Timed later, in interleaved rounds with the other fast rings (load drifts otherwise).
          fast.push({ row, ring });
          row.lookupKeys = keys.length;
          for (const k of keys) sample.push(ring.lookup(k));
        }
        if (ring.lookupN) row.lookup3PerSec = rate((k) => ring.lookupN!(k, 3), true).perSec;
        if (sample.length >= 1000) {
          const b = balance(sample, members);
          row.maxMean = b.maxMean;
          row.stdMean = b.stdMean;
        }
        // Movement: the sampled keys, before and after one add, and after one removal instead.
        const before = sample.slice(0, MOVE_KEYS).map(String);
        const probe = keys.slice(0, before.length);
        ring.add('10.9.9.9:7946');
        const afterAdd = probe.map((k) => String(ring.lookup(k)));
        ring.remove('10.9.9.9:7946');
        ring.remove(ns[0]!);
        const afterRemove = probe.map((k) => String(ring.lookup(k)));
        if (probe.length < 1000) throw new Error(`only ${probe.length} keys in budget; balance and movement not measured`);
        row.movedOnAdd = afterAdd.filter((o, i) => o !== before[i]).length / probe.length;
        row.idealAdd = 1 / (members + 1);
        row.movedOnRemove = afterRemove.filter((o, i) => o !== before[i]).length / probe.length;
        row.idealRemove = 1 / members;
      } catch (e) {
        row.error = e instanceof Error ? e.message : String(e);
      }
      process.stderr.write('.');
    }
    const perSec = fast.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      fast.forEach(({ ring }, i) => perSec[i]!.push(rate((k) => ring.lookup(k), false).perSec));
    }
    fast.forEach(({ row }, i) => (row.lookupsPerSec = median(perSec[i]!)));
  }
}
process.stderr.write('\n');

// ---- incremental change cost at 1000 members × 256 vnodes ----
const big = HashRing.from(
  names(1000).map((name) => ({ name })),
  { vnodes: 256 },
);
const joinMs: number[] = [];
const leaveMs: number[] = [];
for (let i = 0; i < 21; i++) {
  const n = `joiner-${i}`;
  let t = performance.now();
  big.add({ name: n });
  joinMs.push(performance.now() - t);
  t = performance.now();
  big.remove(n);
  leaveMs.push(performance.now() - t);
}
// lookup(key, 3) at 1000 × 256: without zones, with 3 zones, and lookupInto (no allocation),
// in interleaved rounds beside lookup(key), so the ratios hold on a loaded machine.
const plain = HashRing.from(
  names(1000).map((name) => ({ name })),
  { vnodes: 256 },
);
const zoned = HashRing.from(
  names(1000).map((name, i) => ({ name, tags: { zone: `z${i % 3}` } })),
  { vnodes: 256 },
);
const into: string[] = [];
const walks: [string, (k: string) => unknown][] = [
  ['lookup(key)', (k) => plain.lookup(k)],
  ['lookup(key, 3)', (k) => plain.lookup(k, 3)],
  ['lookup(key, 3), 3 zones', (k) => zoned.lookup(k, 3)],
  ['lookupInto(key, 3, out), 3 zones', (k) => zoned.lookupInto(k, 3, into)],
];
const walkRates = walks.map(() => [] as number[]);
for (let round = 0; round < Math.max(3, ROUNDS); round++) walks.forEach(([, f], i) => walkRates[i]!.push(rate(f, false).perSec));
const walkRows = walks.map(([name], i) => ({ name, perSec: median(walkRates[i]!) }));
const zoned3 = walkRows[3]!.perSec;

// ---- owner lookups, before (HashRing walk) and after (ShardMap, the one placement) ----
/** A membership source that never changes: enough for Cluster.attach to answer lookups. */
const still = (ms: readonly Member[]): Parameters<typeof Cluster.attach>[0] => ({
  name: ms[0]!.name,
  members: () => [...ms],
  on: () => () => {},
  leave: async () => {},
  shutdown: async () => {},
});
const ownerRows: { members: number; zones: boolean; name: string; perSec: number }[] = [];
/** The first lookup past the replicas in a shard computes its extended list: ms per shard. */
const coldRows: { members: number; zones: boolean; msPerShard: number }[] = [];
for (const members of QUICK || PLACEMENT_ONLY ? [100, 1000] : [10, 100, 1000]) {
  for (const zones of [false, true]) {
    const ms: Member[] = names(members).map((name, i) => ({
      name,
      address: name,
      state: 'alive',
      incarnation: 1,
      tags: zones ? { zone: `z${i % 3}` } : ({} as Record<string, string>),
      stateChangedAt: 0,
    }));
    const ring = HashRing.from(ms);
    const map = new ShardMap();
    map.createShards(ms);
    const seen = new Set<number>();
    const t0 = performance.now();
    const shardCount = map.shardIds().length;
    for (let i = 0; i < keys.length && seen.size < shardCount; i++) {
      seen.add(map.shardForKey(keys[i]!));
      map.lookup(keys[i]!, 5);
    }
    coldRows.push({ members, zones, msPerShard: (performance.now() - t0) / seen.size });
    const cluster = Cluster.attach(still(ms), {}, { random: new SeededRandom(1), now: () => 0 });
    const fs: [string, (k: string) => unknown][] = [
      ['before: HashRing lookup(key, 3)', (k) => ring.lookup(k, 3)],
      ['after: ShardMap lookup(key, 3)', (k) => map.lookup(k, 3)],
      ['after: cluster.lookup(key, 3)', (k) => cluster.lookup(k, 3)],
      ['before: HashRing lookup(key)', (k) => ring.lookup(k)],
      ['after: ShardMap lookup(key)', (k) => map.lookup(k)],
      ['after: ShardMap lookup(key, 5) (past the replicas, lists computed)', (k) => map.lookup(k, 5)],
    ];
    const r = fs.map(() => [] as number[]);
    for (let round = 0; round < Math.max(3, ROUNDS); round++) fs.forEach(([, f], i) => r[i]!.push(rate(f, false).perSec));
    fs.forEach(([name], i) => ownerRows.push({ members, zones, name, perSec: median(r[i]!) }));
    void cluster.shutdown();
    process.stderr.write('.');
  }
}

// ---- shard placement: 100 members, 3 replicas, by shard count (bench/ring/placement.ts) ----
const shardRows = LOOKUPS_ONLY ? [] : placementTable(100, TRIALS);
const sweepRows = LOOKUPS_ONLY ? [] : sweep(SWEEP, TRIALS);
const sizeRows = LOOKUPS_ONLY ? [] : defaultAtSizes(QUICK ? [30, 300] : [10, 30, 300, 1000], QUICK ? 1 : 2);
process.stderr.write('\n');

// ---- report ----
const f = (x: number | undefined, d = 2): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const M = (x: number | undefined): string => (x === undefined ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
if (!PLACEMENT_ONLY) {
  console.log(`\nring lookups: ${KEYS} keys, budget ${BUDGET_MS} ms per slow measurement, medians of ${ROUNDS} for fast rings`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}\n`);
  console.log(
    '| impl | members | vnodes | build ms | mem MB | lookup/s | keys | lookup(k,3)/s | max/mean | sd/mean | moved add (ideal) | moved remove (ideal) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.error && r.lookupsPerSec === undefined) {
      console.log(`| ${r.impl} | ${r.members} | ${r.vnodes} | n/a: ${r.error} |||||||||`);
      continue;
    }
    console.log(
      `| ${r.impl} | ${r.members} | ${r.vnodes} | ${f(r.buildMs, 1)} | ${f(r.memoryMB, 1)} | ${M(r.lookupsPerSec)} | ${r.lookupKeys} | ${M(r.lookup3PerSec)} | ${f(r.maxMean)} | ${f(r.stdMean, 3)} | ${f(r.movedOnAdd, 4)} (${f(r.idealAdd, 4)}) | ${f(r.movedOnRemove, 4)} (${f(r.idealRemove, 4)}) |${r.error ? ` (${r.error})` : ''}`,
    );
  }
  const ratio = (members: number, vnodes: number, other: string): number => {
    const ours = rows.find((r) => r.impl === 'phantom HashRing' && r.members === members && r.vnodes === vnodes)?.lookupsPerSec ?? NaN;
    const them = rows.find((r) => r.impl === other && r.members === members && r.vnodes === vnodes)?.lookupsPerSec ?? NaN;
    return ours / them;
  };
  console.log('\n| members | vnodes | ours / reference | ours / hashring |');
  console.log('|---:|---:|---:|---:|');
  for (const m of MEMBERS)
    for (const v of VNODES) console.log(`| ${m} | ${v} | ${f(ratio(m, v, 'reference (30 lines)'))} | ${f(ratio(m, v, 'hashring (md5)'), 1)} |`);
  console.log(
    `\njoin at 1000 × 256: median ${f(median(joinMs))} ms, max ${f(Math.max(...joinMs))} ms; leave: median ${f(median(leaveMs))} ms, max ${f(Math.max(...leaveMs))} ms`,
  );
  console.log('\n| at 1000 × 256 (medians, interleaved) | per s | vs lookup(key) |');
  console.log('|---|---:|---:|');
  for (const w of walkRows) console.log(`| ${w.name} | ${M(w.perSec)} | ${f(w.perSec / walkRows[0]!.perSec)} |`);
}
console.log(
  `\nowner lookups, before and after (medians of ${Math.max(3, ROUNDS)} interleaved rounds over ${KEYS} keys; default vnodes 256, default ShardMap: 8192 shards, 3 replicas)\n`,
);
console.log('| members | zones | lookup | per s | vs before |');
console.log('|---:|---|---|---:|---:|');
for (const o of ownerRows) {
  const before = ownerRows.find(
    (b) =>
      b.members === o.members &&
      b.zones === o.zones &&
      b.name === (/lookup\(key\)$/.test(o.name) ? 'before: HashRing lookup(key)' : 'before: HashRing lookup(key, 3)'),
  )!;
  console.log(`| ${o.members} | ${o.zones ? '3' : '-'} | ${o.name} | ${M(o.perSec)} | ${f(o.perSec / before.perSec)} |`);
}
console.log(
  `\nlookup past the replicas, first time in a shard (its extended list is computed, then kept until the owners change): ${coldRows.map((c) => `${c.members} members${c.zones ? ', 3 zones' : ''}: ${f(c.msPerShard, 3)} ms`).join('; ')}`,
);
const placementLine = (s: (typeof shardRows)[number], label = s.method): string =>
  `| ${label} | ${s.shards} | ${s.pure ? 'yes' : 'no'} | ${f(s.worstMaxMean, 3)} | ${f(s.stdMean, 3)} | ${f(s.movedOnJoin, 1)} (${f(s.idealJoin, 1)}) | ${f(s.movedOnJoin / s.idealJoin)} | ${f(s.movedOnLeave, 1)} (${f(s.idealLeave, 1)}) | ${f(s.movedOnLeave / s.idealLeave)} | ${f(s.placeMs, 1)} | ${s.sharedReplicas} |`;
const placementHead =
  '| method | shards | pure? | max/mean | sd/mean | moved on join (ideal) | × ideal | moved on leave (ideal) | × ideal | ms per placement | shards with 2 replicas on 1 member |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|';
console.log(
  `\nshard placement: 100 members, 3 replicas (moves = replica slots, mean of ${TRIALS} joins / ${TRIALS} leaves; max/mean = worst of 100, 101 and 99 members); default: ${DEFAULT_METHOD}\n`,
);
console.log(placementHead);
for (const s of shardRows) console.log(placementLine(s));
console.log(`\nsweep over ${SWEEP.join(', ')} members (mean of the per-size factors; ${TRIALS} joins and leaves each)\n`);
console.log('| method | shards | worst max/mean | join × ideal | leave × ideal | worst single factor |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const w of sweepRows)
  console.log(`| ${w.method} | ${w.shards} | ${f(w.worstMaxMean, 3)} | ${f(w.joinFactor)} | ${f(w.leaveFactor)} | ${f(w.worstFactor)} |`);
console.log(`\nthe default (rounds, c = 1.05, 8192 shards, 3 replicas) at other member counts (${QUICK ? 1 : 2} joins and leaves each)\n`);
console.log(placementHead.replace('| method |', '| members |'));
for (const s of sizeRows) console.log(placementLine(s, String(s.members)));
if (LOOKUPS_ONLY && !QUICK) {
  writeFileSync(
    new URL('./results/ring-lookups.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cpus: os.cpus().length, loadavg: os.loadavg(), keys: KEYS, rounds: ROUNDS, ownerLookups: ownerRows, coldExtendMsPerShard: coldRows }, null, 2)}\n`,
  );
}
if (!QUICK && !PLACEMENT_ONLY) {
  writeFileSync(
    new URL('./results/ring.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cpus: os.cpus().length, loadavg: os.loadavg(), keys: KEYS, budgetMs: BUDGET_MS, rounds: ROUNDS, trials: TRIALS, rings: rows, change: { joinMs, leaveMs }, walks: walkRows, zonedLookup3PerSec: zoned3, ownerLookups: ownerRows, coldExtendMsPerShard: coldRows, shards: shardRows, sweep: sweepRows, defaultAtSizes: sizeRows }, null, 2)}\n`,
  );
}
