/**
 * `rounds` placement: a round-robin over rendezvous preference lists, capped. A pure function of
 * the member set (names, weights) and the shard ids, so agents that agree on membership agree on
 * every owner without talking, and it balances far better than plain rendezvous.
 *
 * Each member ranks every shard by its rendezvous hash mix32(member, shard), best first: its
 * preference list, which depends on nothing but the member and the shard. Then, round after round,
 * every member (in member-hash order) proposes to the next shard on its list; the shard accepts
 * while it has fewer than `replicas` owners and the member holds fewer than its cap
 * max(ceil(share), floor(c × share)). A member's load thus grows by about one per round whatever
 * the others do, which is why the spread is narrow; a failed proposal is not retried elsewhere
 * (that "skip to the next free shard" is Maglev, which balances exactly but moves ~3.6× the ideal
 * on one change, because every later pick then depends on everyone else's).
 *
 * Why movement stays near the ideal: a joiner's proposals fill a few shards one round earlier, so
 * a few others miss one proposal each; nothing else changes. Without a cap the measured movement
 * is 1.0× the ideal at max/mean 1.32 (1024 shards × 100 members × 3); the cap is what buys 1.05
 * and also what makes changes cascade: a member at its cap stops proposing, so one replica more
 * or less on a capped member shifts its later picks (bench/RING.md has the c / movement curve).
 *
 * Scores are 32-bit integers compared exactly (no Math.log, no floats): the same bits on every
 * platform and Node version.
 */
import { mix32 } from './hash.js';

/** What the rounds need, members already sorted by name (index = rank). */
export interface RoundsInput {
  /** fingerprint32 of each member's id, by member index. */
  readonly memberHash: Uint32Array;
  /** Relative weight of each member (1 = normal). */
  readonly weight: Float64Array;
  /** Fair share of replica slots of each member (weighted). */
  readonly share: Float64Array;
  /** Hash of each shard, by shard position (not id). */
  readonly shardHash: Uint32Array;
  /** Owners per shard (min(replicas, members)). */
  readonly perShard: number;
  /** Capacity factor c: a member holds at most max(ceil(share), floor(c × share)) replicas. */
  readonly capacityFactor: number;
}

/** Largest shard count the packed integer sort handles (2^32 × 2^21 < 2^53). */
const MAX_PACKED_SHARDS = 2 ** 21;

/** Shard positions in member `mh`'s order of preference: highest mix32(mh, shard) first. */
function preferences(mh: number, shardHash: Uint32Array): Uint32Array {
  const s = shardHash.length;
  const out = new Uint32Array(s);
  if (s < MAX_PACKED_SHARDS) {
    // (2^32 - 1 - score) × 2^21 + position, sorted natively: descending score, ties by position,
    // with no comparator call per pair (about 10× faster than Array#sort with a function).
    const packed = new Float64Array(s);
    for (let k = 0; k < s; k++) packed[k] = (0xffffffff - mix32(mh, shardHash[k]!)) * MAX_PACKED_SHARDS + k;
    packed.sort();
    for (let k = 0; k < s; k++) out[k] = packed[k]! % MAX_PACKED_SHARDS;
    return out;
  }
  const score = new Uint32Array(s);
  for (let k = 0; k < s; k++) score[k] = mix32(mh, shardHash[k]!);
  const order = Array.from({ length: s }, (_, k) => k).sort((a, b) => score[b]! - score[a]! || a - b);
  out.set(order);
  return out;
}

/**
 * Places `perShard` owners on every shard position; returns member indexes per position, in the
 * order they were accepted (by round), so the earliest taker is the primary. Pins are applied by
 * the caller afterwards, so pinning one shard never moves another.
 */
export function placeRounds(input: RoundsInput): number[][] {
  const { memberHash, weight, share, shardHash, perShard, capacityFactor } = input;
  const n = memberHash.length;
  const s = shardHash.length;
  const owners: number[][] = Array.from({ length: s }, () => []);
  if (n === 0 || perShard === 0) return owners;
  const load = new Int32Array(n);
  let open = s * perShard;
  const cap = new Int32Array(n);
  for (let i = 0; i < n; i++) cap[i] = Math.max(Math.ceil(share[i]! - 1e-9), Math.floor(capacityFactor * share[i]! + 1e-9));
  const prefs = Array.from({ length: n }, (_, i) => preferences(memberHash[i]!, shardHash));
  // Proposal order within a round: by member hash, so a name's position does not depend on the
  // other names (sorting by name would shift everyone after a joiner).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => memberHash[a]! - memberHash[b]! || a - b);
  // A member of weight w makes w / mean-weight proposals per round (credit carried over), so its
  // load grows at the rate of its share.
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weight[i]!;
  const rate = Float64Array.from(weight, (w) => (w * n) / totalWeight);
  const next = new Int32Array(n);
  for (let round = 1; open > 0; round++) {
    let proposed = false;
    for (const i of order) {
      const allowed = Math.min(s, Math.floor(round * rate[i]! + 1e-9));
      while (next[i]! < allowed && load[i]! < cap[i]!) {
        proposed = true;
        const k = prefs[i]![next[i]!++]!;
        const o = owners[k]!;
        if (o.length < perShard && !o.includes(i)) {
          o.push(i);
          load[i]!++;
          open--;
        }
      }
      if (next[i]! < s && load[i]! < cap[i]!) proposed = true;
    }
    if (!proposed) break;
  }
  if (open > 0) overflow(owners, load, perShard, memberHash, shardHash);
  return owners;
}

/**
 * Every member under its cap already holds each unfilled shard (possible only when replicas is
 * close to the member count): fill with the least loaded non-holder, best rendezvous hash first.
 */
function overflow(owners: number[][], load: Int32Array, perShard: number, memberHash: Uint32Array, shardHash: Uint32Array): void {
  owners.forEach((o, k) => {
    while (o.length < perShard) {
      let best = -1;
      for (let i = 0; i < memberHash.length; i++) {
        if (o.includes(i)) continue;
        if (best < 0 || load[i]! < load[best]! || (load[i] === load[best] && mix32(memberHash[i]!, shardHash[k]!) > mix32(memberHash[best]!, shardHash[k]!))) best = i;
      }
      if (best < 0) return;
      o.push(best);
      load[best]!++;
    }
  });
}
