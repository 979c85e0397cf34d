/**
 * Shard placement: which members own each shard's replicas, and so (through the shard map) the
 * one answer for who owns a key. Four methods, measured side by side in bench/ring.ts (numbers
 * in bench/RING.md):
 *
 * - `rounds` (the default; rounds.ts): every member walks its own rendezvous preference list,
 *   one proposal per round, up to a cap of about c × its fair share; zones spread first. A pure
 *   function of the member set with max/mean <= c; one change moves ~1.0-1.05× the ideal at
 *   c = 1.05 with ~245 replicas a member (8192 shards, 100 members, 3 replicas), ~1.8× with
 *   ~30 (1024 shards). The best trade-off of the pure methods measured.
 * - `rendezvous` (highest random weight): each shard takes the `replicas` members with the
 *   highest score hash(member, shard), weighted as -w / ln(u). A pure function of the member
 *   set, and movement is exactly minimal; but with ~30 replicas per member, the binomial spread
 *   puts the busiest member ~1.6× above the mean (~1.2× with ~245).
 * - `bounded` (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads"): shards
 *   in id order walk their rendezvous preference list and skip members already at capacity
 *   ceil-ish(c × fair share). Still pure, max/mean <= c, but one change cascades through the
 *   greedy order and moves several times the ideal.
 * - `sticky` (quotas): start from the previous assignment; each member's quota is its fair
 *   share rounded down or up; orphaned slots go to the best-scored member below quota, then
 *   members below quota take slots directly from members above it, on the shards they score
 *   highest. Max/mean ~1.01 and movement ~ideal, but
 *   the result depends on the previous assignment, i.e. on history (see docs/RING.md).
 *
 * Every method: no member holds two replicas of one shard; pinned members own their shards
 * first and count towards their load. Scores mix precomputed 32-bit hashes (no string work per
 * pair): 8192 shards × 100 members place in ~100 ms, × 1000 members in well under a second.
 */
import farmhash from 'farmhash';
import { mix32 } from './hash.js';
import { placeRounds } from './rounds.js';

/** How replicas are placed; see the file comment for the trade-offs. */
export type PlacementMethod = 'rounds' | 'rendezvous' | 'bounded' | 'sticky';

/** A member as placement sees it: a name, a relative weight (1 = normal) and its zone, if any. */
export interface PlacementMember {
  readonly name: string;
  readonly weight: number;
  /** `rounds` puts a shard's replicas in distinct zones first; the other methods ignore it. */
  readonly zone?: string | undefined;
}

/** Shard id -> owner names, primary first. */
export type Assignment = ReadonlyMap<number, readonly string[]>;

/** Everything a placement needs; `previous` is read only by `sticky`. */
export interface PlacementInput {
  readonly shards: readonly number[];
  readonly members: readonly PlacementMember[];
  readonly replicas: number;
  readonly pins: ReadonlyMap<number, readonly string[]>;
  readonly previous: Assignment;
  /** Capacity factor c for `bounded`: a member holds at most about c × its fair share. */
  readonly capacityFactor: number;
}

interface Prepared {
  readonly names: readonly string[];
  readonly memberHash: Uint32Array;
  readonly weight: Float64Array;
  readonly index: ReadonlyMap<string, number>;
  /** Zone of each member as a small integer, -1 for none. */
  readonly zone: Int32Array;
  readonly perShard: number;
  /** Fair share of replica slots per member (weighted). */
  readonly share: Float64Array;
}

function prepare(input: PlacementInput): Prepared {
  // Sorted, so the result never depends on the order members were listed in.
  const members = [...input.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const n = members.length;
  const memberHash = new Uint32Array(n);
  const weight = new Float64Array(n);
  const index = new Map<string, number>();
  const zone = new Int32Array(n).fill(-1);
  const zoneIds = new Map<string, number>();
  let totalWeight = 0;
  members.forEach((m, i) => {
    memberHash[i] = memberHashOf(m.name);
    if (m.zone !== undefined && m.zone !== '') {
      if (!zoneIds.has(m.zone)) zoneIds.set(m.zone, zoneIds.size);
      zone[i] = zoneIds.get(m.zone)!;
    }
    weight[i] = m.weight;
    totalWeight += m.weight;
    index.set(m.name, i);
  });
  const perShard = Math.min(input.replicas, n);
  const slots = perShard * input.shards.length;
  const share = new Float64Array(n);
  for (let i = 0; i < n; i++) share[i] = totalWeight > 0 ? (slots * weight[i]!) / totalWeight : 0;
  return { names: members.map((m) => m.name), memberHash, weight, index, zone, perShard, share };
}

/** Hash of a member name, one half of every rendezvous score. */
export function memberHashOf(name: string): number {
  return farmhash.fingerprint32(`member:${name}`);
}

/** Hash of a shard id, the other half of every rendezvous score. */
export function shardHash(shard: number): number {
  return farmhash.fingerprint32(`shard:${shard}`);
}

/** Weighted rendezvous score of member hash `mh` (weight `w`) for shard hash `sh`: higher wins. */
export function hrwScore(mh: number, sh: number, w: number): number {
  const u = (mix32(mh, sh) + 0.5) / 4294967296;
  return -w / Math.log(u);
}

/** Member indexes in descending score order for one shard (ties by index, i.e. by name). */
function preference(p: Prepared, sh: number): { order: number[]; score: Float64Array } {
  const n = p.names.length;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = hrwScore(p.memberHash[i]!, sh, p.weight[i]!);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => score[b]! - score[a]! || a - b);
  return { order, score };
}

/** Live pinned member indexes of a shard, in pin order, at most `perShard`. */
function pinnedOf(p: Prepared, input: PlacementInput, shard: number): number[] {
  const out: number[] = [];
  for (const name of input.pins.get(shard) ?? []) {
    const i = p.index.get(name);
    if (i !== undefined && !out.includes(i) && out.length < p.perShard) out.push(i);
  }
  return out;
}

/** Places replicas with the chosen method. Pure: same input, same output. */
export function place(method: PlacementMethod, input: PlacementInput): Map<number, string[]> {
  const p = prepare(input);
  if (p.perShard === 0) return new Map(input.shards.map((s) => [s, []]));
  switch (method) {
    case 'rendezvous':
      return greedy(p, input, () => Infinity);
    case 'bounded': {
      const cap = p.share.map((t) => Math.max(Math.ceil(t), Math.floor(t * input.capacityFactor)));
      return greedy(p, input, (i) => cap[i]!);
    }
    case 'sticky':
      return sticky(p, input);
    case 'rounds': {
      const owners = placeRounds({
        memberHash: p.memberHash,
        weight: p.weight,
        share: p.share,
        shardHash: Uint32Array.from(input.shards, shardHash),
        perShard: p.perShard,
        capacityFactor: input.capacityFactor,
        zone: p.zone,
      });
      return new Map(
        input.shards.map((shard, k) => {
          // Pins override after the rounds: pinned members first, then the best of the rest.
          const pins = pinnedOf(p, input, shard);
          const list = [...pins, ...(owners[k] ?? []).filter((i) => !pins.includes(i))].slice(0, p.perShard);
          return [shard, list.map((i) => p.names[i]!)];
        }),
      );
    }
  }
}

/** Shards in id order take their best-scored members that are under `capOf`. */
function greedy(p: Prepared, input: PlacementInput, capOf: (i: number) => number): Map<number, string[]> {
  const load = new Uint32Array(p.names.length);
  const out = new Map<number, string[]>();
  for (const shard of input.shards) {
    const owners = pinnedOf(p, input, shard);
    for (const i of owners) load[i]!++;
    const { order } = preference(p, shardHash(shard));
    for (const i of order) {
      if (owners.length >= p.perShard) break;
      if (load[i]! < capOf(i) && !owners.includes(i)) {
        owners.push(i);
        load[i]!++;
      }
    }
    // All candidates at capacity (only possible when distinctness bites): overflow to the best.
    for (const i of order) {
      if (owners.length >= p.perShard) break;
      if (!owners.includes(i)) {
        owners.push(i);
        load[i]!++;
      }
    }
    out.set(
      shard,
      owners.map((i) => p.names[i]!),
    );
  }
  return out;
}

/** Integer quotas summing to the slot count: floor of each share, +1 by largest remainder. */
function quotas(p: Prepared, shardCount: number, load: Uint32Array): Int32Array {
  const n = p.names.length;
  const q = new Int32Array(n);
  let left = p.perShard * shardCount;
  for (let i = 0; i < n; i++) {
    q[i] = Math.min(shardCount, Math.floor(p.share[i]! + 1e-9));
    left -= q[i]!;
  }
  // The +1s go to the largest fractional parts, then to members already holding more (so fewer
  // shards move), then by name.
  const order = Array.from({ length: n }, (_, i) => i);
  const frac = (i: number): number => p.share[i]! - Math.floor(p.share[i]! + 1e-9);
  order.sort((a, b) => frac(b) - frac(a) || load[b]! - load[a]! || a - b);
  for (let k = 0; left > 0 && n > 0; k = (k + 1) % n) {
    const i = order[k]!;
    if (q[i]! < shardCount) {
      q[i]!++;
      left--;
    }
  }
  return q;
}

function sticky(p: Prepared, input: PlacementInput): Map<number, string[]> {
  const n = p.names.length;
  const load = new Uint32Array(n);
  // owners[s] holds member indexes, -1 for an empty slot; positions are kept so a plan can be
  // applied as "replace `from` by `to`".
  const owners = new Map<number, number[]>();
  const pinned = new Map<number, number[]>();
  for (const shard of input.shards) {
    const pins = pinnedOf(p, input, shard);
    pinned.set(shard, pins);
    const kept: number[] = [];
    for (const name of input.previous.get(shard) ?? []) {
      const i = p.index.get(name);
      if (i !== undefined && !kept.includes(i)) kept.push(i);
    }
    for (const i of pins) if (!kept.includes(i)) kept.unshift(i);
    // Too many (replicas lowered, or pins pushed in): drop the unpinned tail.
    while (kept.length > p.perShard) {
      let at = kept.length - 1;
      while (at > 0 && pins.includes(kept[at]!)) at--;
      kept.splice(at, 1);
    }
    while (kept.length < p.perShard) kept.push(-1);
    for (const i of kept) if (i >= 0) load[i]!++;
    owners.set(shard, kept);
  }
  const quota = quotas(p, input.shards.length, load);

  // Fill: empty slots (new shards, departed members), shard by shard, take the best-scored
  // member still under quota.
  for (const shard of input.shards) {
    const list = owners.get(shard)!;
    if (!list.includes(-1)) continue;
    const { order } = preference(p, shardHash(shard));
    for (let k = 0; k < list.length; k++) {
      if (list[k] !== -1) continue;
      let pick = order.find((i) => load[i]! < quota[i]! && !list.includes(i));
      // Everyone under quota already holds this shard: overflow to the least loaded other member.
      pick ??= order.reduce((best, i) => (list.includes(i) || (best >= 0 && load[best]! <= load[i]!) ? best : i), -1);
      list[k] = pick;
      load[pick]!++;
    }
  }

  // Transfer: each member under quota (a newcomer, say) takes replicas straight from members
  // over quota, choosing the shards it scores highest on. One slot changes hands per transfer,
  // so the plan is exactly the slots that had to move; no hole is left for a third member.
  for (let u = 0; u < n; u++) {
    if (load[u]! >= quota[u]!) continue;
    const candidates: { shard: number; score: number }[] = [];
    for (const shard of input.shards) {
      if (!owners.get(shard)!.includes(u)) candidates.push({ shard, score: hrwScore(p.memberHash[u]!, shardHash(shard), p.weight[u]!) });
    }
    candidates.sort((a, b) => b.score - a.score || a.shard - b.shard);
    for (const { shard } of candidates) {
      if (load[u]! >= quota[u]!) break;
      const list = owners.get(shard)!;
      const pins = pinned.get(shard) ?? [];
      let give = -1;
      for (let k = 0; k < list.length; k++) {
        const o = list[k]!;
        if (pins.includes(o) || load[o]! <= quota[o]!) continue;
        if (give < 0 || load[o]! - quota[o]! > load[list[give]!]! - quota[list[give]!]!) give = k;
      }
      if (give < 0) continue;
      load[list[give]!]!--;
      list[give] = u;
      load[u]!++;
    }
  }
  return new Map([...owners].map(([s, list]) => [s, list.map((i) => p.names[i]!)]));
}
