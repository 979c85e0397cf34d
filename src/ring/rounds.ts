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
 * or less on a capped member shifts its later picks, and a join lowers every cap. That extra is
 * about the number of members sitting at the cap whatever the shard count, so it shrinks against
 * the ideal as members hold more replicas: 2.2× at 1024 shards, 1.0-1.05× at 8192 (the default),
 * at 100 members (bench/RING.md).
 *
 * Zones: a shard takes a second member of a zone only while its free slots exceed the zones it
 * still lacks (`zoneRule`), so replicas land in distinct zones first.
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
  /** Zone of each member as a small integer, -1 for none; absent = nobody has a zone. */
  readonly zone?: Int32Array;
}

/** Largest shard count the packed integer sort handles (2^32 × 2^21 < 2^53). */
const MAX_PACKED_SHARDS = 2 ** 21;

/**
 * Member `mh`'s shard positions in order of preference (highest mix32(mh, shard) first, ties by
 * position), produced band by band: a band is every shard whose score lies in the next slice of
 * the 32-bit range, sorted. A member reads only about its share of its list (~1.3× its cap), so
 * sorting all of it cost ~10× the reading at 8192 shards; bands are disjoint score ranges taken
 * top down, so the order is exactly the full sort's.
 */
/** Reused by every band scan (placement is synchronous, so one buffer serves all members). */
let scratch = new Uint32Array(0);

class Preferences {
  private band: Uint32Array = new Uint32Array(0);
  private at = 0;
  /** Scores >= `floor` were already handed out in earlier bands. */
  private floor = 2 ** 32;
  private width: number;

  constructor(
    private readonly mh: number,
    private readonly shardHash: Uint32Array,
    firstBand: number,
  ) {
    // Expected band size = width / 2^32 × shards; start with room for `firstBand` positions.
    this.width = Math.min(2 ** 32, Math.ceil((firstBand / Math.max(1, shardHash.length)) * 2 ** 32));
  }

  /** The next preferred shard position, or -1 once every shard was handed out. */
  next(): number {
    while (this.at === this.band.length) {
      if (this.floor === 0) return -1;
      this.loadBand();
    }
    return this.band[this.at++]!;
  }

  private loadBand(): void {
    const { mh, shardHash } = this;
    const s = shardHash.length;
    const top = this.floor;
    const low = Math.max(0, top - this.width);
    this.width *= 2;
    this.floor = low;
    this.at = 0;
    // Scores into a shared scratch array (one pass of mix32, inlined: this loop is most of the
    // placement's time), then the band's members picked out of it.
    if (scratch.length < s) scratch = new Uint32Array(s);
    const score = scratch;
    let count = 0;
    const m = mh >>> 0;
    for (let k = 0; k < s; k++) {
      let h = (m ^ Math.imul(shardHash[k]!, 0x9e3779b1)) >>> 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      h >>>= 0;
      score[k] = h;
      if (h >= low && h < top) count++;
    }
    const out = new Uint32Array(count);
    if (s < MAX_PACKED_SHARDS) {
      // (2^32 - 1 - score) × 2^21 + position, sorted natively: descending score, ties by position,
      // with no comparator call per pair (about 10× faster than Array#sort with a function).
      const packed = new Float64Array(count);
      let j = 0;
      for (let k = 0; k < s; k++) {
        const v = score[k]!;
        if (v >= low && v < top) packed[j++] = (0xffffffff - v) * MAX_PACKED_SHARDS + k;
      }
      packed.sort();
      for (let i = 0; i < count; i++) out[i] = packed[i]! % MAX_PACKED_SHARDS;
    } else {
      const pos: number[] = [];
      for (let k = 0; k < s; k++) if (score[k]! >= low && score[k]! < top) pos.push(k);
      const sc = Array.from(pos, (k) => score[k]!);
      const idx = pos.map((_, i) => i).sort((a, b) => sc[b]! - sc[a]! || pos[a]! - pos[b]!);
      out.set(idx.map((i) => pos[i]!));
    }
    this.band = out;
  }
}

/**
 * Places `perShard` owners on every shard position; returns member indexes per position, in the
 * order they were accepted (by round), so the earliest taker is the primary. Pins are applied by
 * the caller afterwards, so pinning one shard never moves another.
 */
export function placeRounds(input: RoundsInput): number[][] {
  const { memberHash, weight, share, shardHash, perShard, capacityFactor } = input;
  const zone = input.zone ?? new Int32Array(memberHash.length).fill(-1);
  const accepts = zoneRule(zone, perShard);
  const n = memberHash.length;
  const s = shardHash.length;
  const owners: number[][] = Array.from({ length: s }, () => []);
  if (n === 0 || perShard === 0) return owners;
  const load = new Int32Array(n);
  let open = s * perShard;
  const cap = new Int32Array(n);
  for (let i = 0; i < n; i++) cap[i] = Math.max(Math.ceil(share[i]! - 1e-9), Math.floor(capacityFactor * share[i]! + 1e-9));
  // First band: about 1.5 caps, enough for most members to finish without a second scan.
  const prefs = Array.from({ length: n }, (_, i) => new Preferences(memberHash[i]!, shardHash, Math.ceil(1.5 * Math.min(cap[i]!, s)) + 32));
  // Proposal order within a round: by member hash, so a name's position does not depend on the
  // other names (sorting by name would shift everyone after a joiner).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => memberHash[a]! - memberHash[b]! || a - b);
  // A member of weight w makes w / mean-weight proposals per round (credit carried over), so its
  // load grows at the rate of its share.
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weight[i]!;
  const rate = Float64Array.from(weight, (w) => (w * n) / totalWeight);
  const next = new Int32Array(n);
  // Members still proposing, in proposal order: one at its cap or at the end of its list never
  // proposes again (loads only grow), so it leaves the list. Near the end a few members walk deep
  // into their lists for the last open shards, one proposal a round, and the rounds would
  // otherwise visit every member each time.
  let active = Int32Array.from(order);
  for (let round = 1; open > 0 && active.length > 0; round++) {
    let still = 0;
    for (let a = 0; a < active.length; a++) {
      const i = active[a]!;
      const allowed = Math.min(s, Math.floor(round * rate[i]! + 1e-9));
      const pref = prefs[i]!;
      while (next[i]! < allowed && load[i]! < cap[i]!) {
        next[i]!++;
        const k = pref.next();
        const o = owners[k]!;
        if (o.length < perShard && !o.includes(i) && accepts(o, i)) {
          o.push(i);
          load[i]!++;
          open--;
        }
      }
      if (next[i]! < s && load[i]! < cap[i]!) active[still++] = i;
    }
    active = active.subarray(0, still);
  }
  if (open > 0) overflow(owners, load, perShard, memberHash, shardHash, accepts);
  return owners;
}

/**
 * Whether a shard with owners `o` takes member `i` given zones: a member of a zone the shard
 * lacks always; any other member (a second one of a zone, or one without a zone) only while the
 * free slots exceed the zones still missing, min(zones, perShard) - zones held. So with 3 zones
 * and 3 replicas every shard gets one owner per zone, as long as the zones have room under their
 * caps (otherwise the overflow below fills what is left). With no zones this is always true.
 */
function zoneRule(zone: Int32Array, perShard: number): (o: readonly number[], i: number) => boolean {
  const zones = new Set<number>();
  for (const z of zone) if (z >= 0) zones.add(z);
  const spread = Math.min(zones.size, perShard);
  if (spread === 0) return () => true;
  return (o, i) => {
    const z = zone[i]!;
    let held = 0;
    let mine = false;
    for (let a = 0; a < o.length; a++) {
      const za = zone[o[a]!]!;
      if (za < 0) continue;
      let first = true;
      for (let b = 0; b < a; b++) if (zone[o[b]!] === za) first = false;
      if (first) held++;
      if (za === z) mine = true;
    }
    if (z >= 0 && !mine) return true;
    return perShard - o.length > spread - held;
  };
}

/**
 * Shards left short: every member that could still take one is at its cap or already holds it
 * (possible when replicas is close to the member count, or when a zone's members are full).
 * Fill with a member the zone rule accepts if there is one, even above its cap (replicas in
 * distinct zones matter more than 5% of balance), else any non-holder; least loaded first, then
 * the best rendezvous hash.
 */
function overflow(
  owners: number[][],
  load: Int32Array,
  perShard: number,
  memberHash: Uint32Array,
  shardHash: Uint32Array,
  accepts: (o: readonly number[], i: number) => boolean,
): void {
  owners.forEach((o, k) => {
    while (o.length < perShard) {
      let best = -1;
      let bestOk = false;
      for (let i = 0; i < memberHash.length; i++) {
        if (o.includes(i)) continue;
        const ok = accepts(o, i);
        const better =
          best < 0 ||
          (ok && !bestOk) ||
          (ok === bestOk &&
            (load[i]! < load[best]! || (load[i] === load[best] && mix32(memberHash[i]!, shardHash[k]!) > mix32(memberHash[best]!, shardHash[k]!))));
        if (better) {
          best = i;
          bestOk = ok;
        }
      }
      if (best < 0) return;
      o.push(best);
      load[best]!++;
    }
  });
}
