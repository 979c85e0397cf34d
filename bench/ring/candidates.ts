/**
 * Placements measured against `rounds` but not shipped (bench/RING.md says why each lost). All
 * are pure functions of the member set, built from the same rendezvous hashes as src/ring.
 *
 * - `stable`: every (member, shard) pair sorted by rendezvous hash, best first, accepted while
 *   the shard has room and the member is under its cap: the unique stable matching when both
 *   sides rank by the same score. A displaced member at its cap takes its next pair, so changes
 *   cascade through capped members.
 * - `maglev`: round-robin where a member whose next shard is full skips to its next non-full one
 *   (Maglev's table fill): exact balance, but every later pick depends on everyone's.
 * - `replay`: `sticky` made canonical by replaying joins in member-hash order from nothing. Pure,
 *   but a member that sorts early reshapes every later step.
 * - `multiProbe(k)`: multi-probe consistent hashing (Appleton and O'Reilly, 2015): one point per
 *   member on a ring; a shard is hashed k times, each probe's successor member is a candidate at
 *   the clockwise distance, and the `replicas` nearest distinct members own it. Movement is the
 *   ideal (a join only takes, a leave only gives), and k probes flatten the arcs; but it does not
 *   look at loads, so the shards' own sampling noise (~1/sqrt(replicas per member)) remains.
 */
import farmhash from 'farmhash';
import { mix32 } from '../../src/ring/hash.js';
import { shardHash } from '../../src/ring/placement.js';

/** A candidate: member names -> shard -> owners. */
export type Candidate = (names: readonly string[], shards: number, replicas: number, c: number) => Map<number, string[]>;

interface Prepared {
  readonly names: string[];
  readonly mh: Uint32Array;
  readonly sh: Uint32Array;
  readonly per: number;
  readonly cap: number;
}

function prepare(ns: readonly string[], shards: number, replicas: number, c: number): Prepared {
  const names = [...ns].sort();
  const per = Math.min(replicas, names.length);
  const t = (shards * per) / Math.max(1, names.length);
  return {
    names,
    mh: Uint32Array.from(names, (n) => farmhash.fingerprint32(`member:${n}`)),
    sh: Uint32Array.from({ length: shards }, (_, s) => shardHash(s)),
    per,
    cap: Math.max(Math.ceil(t), Math.floor(c * t)),
  };
}

const result = (p: Prepared, own: number[][]): Map<number, string[]> => new Map(own.map((o, s) => [s, o.map((i) => p.names[i]!)]));

/** Fills shards left short (all candidates capped) with the least loaded non-holder. */
function overflow(p: Prepared, own: number[][], load: Int32Array): void {
  for (const o of own) {
    while (o.length < p.per) {
      let best = -1;
      for (let i = 0; i < p.names.length; i++) if (!o.includes(i) && (best < 0 || load[i]! < load[best]!)) best = i;
      o.push(best);
      load[best]!++;
    }
  }
}

export const stable: Candidate = (ns, shards, replicas, c) => {
  const p = prepare(ns, shards, replicas, c);
  const n = p.names.length;
  const pairs = new Float64Array(shards * n);
  // (2^32 - 1 - score) × 2^21 + pair id: one native sort, best score first.
  for (let s = 0; s < shards; s++) for (let i = 0; i < n; i++) pairs[s * n + i] = (0xffffffff - mix32(p.mh[i]!, p.sh[s]!)) * 2 ** 21 + s * n + i;
  pairs.sort();
  const own: number[][] = Array.from({ length: shards }, () => []);
  const load = new Int32Array(n);
  for (const v of pairs) {
    const k = v % 2 ** 21;
    const s = Math.floor(k / n);
    const i = k - s * n;
    if (own[s]!.length < p.per && load[i]! < p.cap) {
      own[s]!.push(i);
      load[i]!++;
    }
  }
  overflow(p, own, load);
  return result(p, own);
};

function preferences(p: Prepared, i: number): Uint32Array {
  const score = Uint32Array.from(p.sh, (h) => mix32(p.mh[i]!, h));
  return Uint32Array.from(Array.from({ length: p.sh.length }, (_, s) => s).sort((a, b) => score[b]! - score[a]! || a - b));
}

export const maglev: Candidate = (ns, shards, replicas, c) => {
  const p = prepare(ns, shards, replicas, c);
  const n = p.names.length;
  const prefs = Array.from({ length: n }, (_, i) => preferences(p, i));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.mh[a]! - p.mh[b]! || a - b);
  const own: number[][] = Array.from({ length: shards }, () => []);
  const load = new Int32Array(n);
  const next = new Int32Array(n);
  let open = shards * p.per;
  for (let progress = true; open > 0 && progress; ) {
    progress = false;
    for (const i of order) {
      if (load[i]! >= p.cap) continue;
      while (next[i]! < shards && own[prefs[i]![next[i]!]!]!.length >= p.per) next[i]!++;
      if (next[i]! >= shards) continue;
      own[prefs[i]![next[i]!++]!]!.push(i);
      load[i]!++;
      open--;
      progress = true;
    }
  }
  overflow(p, own, load);
  return result(p, own);
};

export const replay: Candidate = (ns, shards, replicas) => {
  const p = prepare(ns, shards, replicas, 1);
  const n = p.names.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.mh[a]! - p.mh[b]! || a - b);
  const own: number[][] = Array.from({ length: shards }, () => []);
  const load = new Int32Array(n);
  const quota = new Int32Array(n);
  const present: number[] = [];
  for (const y of order) {
    present.push(y);
    if (present.length <= replicas) {
      for (const o of own) o.push(y);
      load[y] = shards;
      continue;
    }
    // Quotas for the members so far; the +1s go to those holding more (fewer moves).
    const t = (shards * replicas) / present.length;
    let left = shards * replicas;
    for (const i of present) left -= quota[i] = Math.floor(t);
    const byLoad = [...present].sort((a, b) => load[b]! - load[a]! || p.mh[a]! - p.mh[b]!);
    for (let j = 0; left > 0; j++, left--) quota[byLoad[j]!]!++;
    // The newcomer takes its best shards from owners over quota (most over first).
    for (const s of preferences(p, y)) {
      if (load[y]! >= quota[y]!) break;
      const o = own[s]!;
      let give = -1;
      for (let q = 0; q < o.length; q++) {
        const m = o[q]!;
        if (load[m]! > quota[m]! && (give < 0 || load[m]! - quota[m]! > load[o[give]!]! - quota[o[give]!]!)) give = q;
      }
      if (give < 0) continue;
      load[o[give]!]!--;
      o[give] = y;
      load[y]!++;
    }
  }
  return result(p, own);
};

/** Index of the first value >= h in sorted `points` (points.length when none). */
function lowerBound(points: Uint32Array, h: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const multiProbe =
  (probes: number): Candidate =>
  (ns, shards, replicas) => {
    const p = prepare(ns, shards, replicas, 1);
    const n = p.names.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.mh[a]! - p.mh[b]! || a - b);
    const points = Uint32Array.from(order, (i) => p.mh[i]!);
    const best = new Float64Array(n);
    const own: number[][] = [];
    for (let s = 0; s < shards; s++) {
      best.fill(Infinity);
      let first = -1;
      for (let j = 0; j < probes; j++) {
        const h = mix32(p.sh[s]!, j + 1);
        let at = lowerBound(points, h);
        if (at === n) at = 0;
        const d = (points[at]! - h + 2 ** 32) % 2 ** 32;
        const m = order[at]!;
        if (d < best[m]!) best[m] = d;
        if (first < 0 || d < best[order[first]!]!) first = at;
      }
      const cands = Array.from({ length: n }, (_, i) => i)
        .filter((i) => best[i]! < Infinity)
        .sort((a, b) => best[a]! - best[b]! || a - b)
        .slice(0, p.per);
      // Fewer distinct members than replicas among the probes: walk on from the nearest probe.
      for (let at = first; cands.length < p.per; at = (at + 1) % n) if (!cands.includes(order[at]!)) cands.push(order[at]!);
      own.push(cands);
    }
    return result(p, own);
  };
