/**
 * Consistent-hash ring: each member owns `vnodes × weight` points (farmhash fingerprint32 of a
 * length-prefixed vnode id); a key belongs to the first point at or after its hash, wrapping.
 *
 * Layout: a sorted `Uint32Array` of points and a parallel `Uint32Array` of owner slots (small
 * integers naming a member), so a lookup is one hash, one binary search and two array reads,
 * with no allocation. Equal points of different members (about 8 at 1000 × 256) are ordered by
 * member name, so the ring does not depend on the order members were added.
 *
 * Changes are incremental: adding a member merges its sorted points into the arrays, removing
 * one cuts them out; each is a binary search per vnode plus block copies, never a re-sort. The arrays are replaced, not mutated,
 * so a {@link RingSnapshot} is free and stays valid after later changes.
 */
import farmhash from 'farmhash';
import { ClusterError } from '../errors.js';
import type { Tags } from '../core/types.js';
import { hashKey, vnodePoint, weightOf, zoneOf, type RingKey } from './hash.js';
import { cutPoints, mergePoints, radixIndex, radixShift, shiftIndex } from './points.js';

/** What the ring needs to know of a member: its name and its `weight` / `zone` tags. */
export interface RingMember {
  readonly name: string;
  readonly tags?: Tags;
}

/** Virtual nodes per member of weight 1. 256 keeps max/mean keys per member near 1.1 at 100
 * members while a join stays ~1 ms at 1000 members (bench/RING.md). */
export const DEFAULT_VNODES = 256;

/** Options for a {@link HashRing}. */
export interface HashRingInit {
  /** Points per member of weight 1; more = better balance, more memory (8 B/point). */
  readonly vnodes?: number;
}

/** An immutable view of the ring at one moment, for diffing two versions (see `diffRings`). */
export interface RingSnapshot {
  /** Sorted ring points, each in [0, 2^32). */
  readonly points: Uint32Array;
  /** Owner slot of each point, parallel to `points`. */
  readonly owners: Uint32Array;
  /** Member name of each slot at snapshot time. */
  readonly names: readonly (string | undefined)[];
}

interface Entry {
  readonly slot: number;
  readonly count: number;
  readonly zone: string | undefined;
}

/** Tie-break packing for bulk builds: point × 2^20 + name rank fits a float64 exactly. */
const RANK_BITS = 2 ** 20;

export class HashRing {
  /** Points per member of weight 1. */
  readonly vnodes: number;
  private points: Uint32Array = new Uint32Array(0);
  private owners: Uint32Array = new Uint32Array(0);
  // Radix index over `points` (see points.ts), rebuilt with them.
  private index: Uint32Array = radixIndex(new Uint32Array(0)).index;
  private shift = 31;
  private readonly byName = new Map<string, Entry>();
  private slotName: (string | undefined)[] = [];
  // Zone of each slot as a small int (-1 = none), read on every step of a zoned walk.
  private slotZone = new Int32Array(0);
  private readonly freeSlots: number[] = [];
  private readonly zoneIds = new Map<string, number>();
  private readonly zoneMembers: number[] = [];
  private zonesInUse = 0;
  // Visit marks for lookup(key, n): a mark equal to `epoch` means "seen in this call", so no Set
  // is allocated per lookup.
  private marks = new Uint32Array(0);
  private zoneMarks = new Uint32Array(0);
  // Members passed over in a zoned walk (their zone was already chosen), reused across calls.
  private deferred = new Int32Array(0);
  private epoch = 0;
  private cachedChecksum: number | undefined;

  constructor(init: HashRingInit = {}) {
    const vnodes = init.vnodes ?? DEFAULT_VNODES;
    if (!Number.isInteger(vnodes) || vnodes < 1 || vnodes > 65536) {
      throw new ClusterError('ERR_ARGUMENT', `vnodes (${vnodes}) must be an integer in [1, 65536]`);
    }
    this.vnodes = vnodes;
  }

  /** Builds a ring from many members at once: one sort, O(P log P), instead of N merges. */
  static from(members: Iterable<RingMember>, init: HashRingInit = {}): HashRing {
    const ring = new HashRing(init);
    ring.reset(members);
    return ring;
  }

  /** Number of members on the ring. */
  get size(): number {
    return this.byName.size;
  }

  /** Number of points on the ring (sum of each member's vnodes × weight). */
  get pointCount(): number {
    return this.points.length;
  }

  /** Whether `name` is on the ring. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Member names, sorted (code-unit order), so two rings with equal members list them alike. */
  members(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Points owned by `name` (vnodes × weight), or 0 when absent. */
  pointsOf(name: string): number {
    return this.byName.get(name)?.count ?? 0;
  }

  /** Zone of `name` as the ring placed it, or undefined (no zone tag, or absent). */
  zoneOfMember(name: string): string | undefined {
    return this.byName.get(name)?.zone;
  }

  /** Points a member of these tags gets: vnodes × weight, rounded, at least 1. */
  pointsFor(tags: Tags | undefined): number {
    return Math.max(1, Math.round(this.vnodes * weightOf(tags)));
  }

  /**
   * Puts a member on the ring, or updates it when its weight or zone changed. Returns whether
   * the ring changed. O(points); no re-sort.
   */
  add(member: RingMember): boolean {
    const count = this.pointsFor(member.tags);
    const zone = zoneOf(member.tags);
    const old = this.byName.get(member.name);
    if (old !== undefined) {
      if (old.count === count && old.zone === zone) return false;
      this.remove(member.name);
    }
    const slot = this.allocSlot(member.name, zone);
    this.byName.set(member.name, { slot, count, zone });
    this.mergeIn(member.name, slot, count);
    this.cachedChecksum = undefined;
    return true;
  }

  /** Takes a member off the ring. Returns whether it was there. O(points). */
  remove(name: string): boolean {
    const entry = this.byName.get(name);
    if (entry === undefined) return false;
    // The member's points are recomputed from its name and cut out by position.
    const mine = this.pointsOfName(name, entry.count);
    this.setPoints(cutPoints({ points: this.points, owners: this.owners }, mine, entry.slot), mine, -1);
    this.byName.delete(name);
    this.freeSlot(entry.slot);
    this.cachedChecksum = undefined;
    return true;
  }

  /** Replaces all members with `members` (later duplicates of a name win). */
  reset(members: Iterable<RingMember>): void {
    this.byName.clear();
    this.slotName = [];
    this.slotZone.fill(-1);
    this.freeSlots.length = 0;
    this.zoneIds.clear();
    this.zoneMembers.length = 0;
    this.zonesInUse = 0;
    const last = new Map<string, RingMember>();
    for (const m of members) last.set(m.name, m);
    const names = [...last.keys()].sort();
    if (names.length >= RANK_BITS) {
      throw new ClusterError('ERR_ARGUMENT', `a ring holds at most ${RANK_BITS - 1} members (got ${names.length})`);
    }
    let total = 0;
    for (const name of names) total += this.pointsFor(last.get(name)?.tags);
    const packed = new Float64Array(total);
    let k = 0;
    for (const name of names) {
      const tags = last.get(name)?.tags;
      const count = this.pointsFor(tags);
      // Slots are handed out 0, 1, 2... after the clear above, so slot === rank.
      const slot = this.allocSlot(name, zoneOf(tags));
      this.byName.set(name, { slot, count, zone: zoneOf(tags) });
      for (let i = 0; i < count; i++) packed[k++] = vnodePoint(name, i) * RANK_BITS + slot;
    }
    packed.sort();
    const points = new Uint32Array(total);
    const owners = new Uint32Array(total);
    for (let i = 0; i < total; i++) {
      const v = packed[i]!;
      const point = Math.floor(v / RANK_BITS);
      points[i] = point;
      owners[i] = v - point * RANK_BITS;
    }
    this.setPoints({ points, owners });
    this.cachedChecksum = undefined;
  }

  /** Owner of `key`: the member of the first point at or after hash(key). Undefined when empty. */
  lookup(key: RingKey): string | undefined;
  /**
   * The first `n` distinct members clockwise from hash(key), primary first; when members carry
   * a `zone` tag, members of zones not yet chosen come first. Returns min(n, size) names.
   */
  lookup(key: RingKey, n: number): string[];
  lookup(key: RingKey, n?: number): string | undefined | string[] {
    // The string path and the search are inlined: this is the hot call, and each extra frame
    // cost ~10% against the plain reference in bench/ring.ts. The radix index narrows the
    // binary search to one bucket of ~2 points.
    const h = typeof key === 'string' ? farmhash.fingerprint32(key) : hashKey(key);
    if (n !== undefined) return this.walk(h, n);
    const p = this.points;
    if (p.length === 0) return undefined;
    let lo = this.index[h >>> this.shift]!;
    let hi = this.index[(h >>> this.shift) + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.slotName[this.owners[lo === p.length ? 0 : lo]!];
  }

  /** Owner of a precomputed 32-bit hash; lets callers hash once and look up in many rings. */
  ownerOfHash(hash: number): string | undefined {
    if (this.points.length === 0) return undefined;
    return this.slotName[this.owners[this.search(hash)]!];
  }

  /** Like `lookup(key, n)` for a precomputed 32-bit hash. */
  walk(hash: number, n: number): string[] {
    const out: string[] = [];
    this.walkInto(hash, n, out);
    return out;
  }

  /**
   * `lookup(key, n)` without allocating: writes the owners into `out` (truncated to their count)
   * and returns the count. For hot paths that route every request: reuse one array.
   */
  lookupInto(key: RingKey, n: number, out: string[]): number {
    return this.walkInto(typeof key === 'string' ? farmhash.fingerprint32(key) : hashKey(key), n, out);
  }

  /** `lookupInto` for a precomputed 32-bit hash. */
  walkInto(hash: number, n: number, out: string[]): number {
    const len = this.points.length;
    const want = Math.min(Math.floor(n), this.byName.size);
    let count = 0;
    if (len > 0 && want > 0) {
      const epoch = this.nextEpoch();
      const { owners, marks, zoneMarks, slotZone, slotName, deferred } = this;
      let zonesLeft = this.zonesInUse;
      let parked = 0;
      let idx = this.search(hash);
      for (let step = 0; step < len && count < want; step++, idx = idx + 1 === len ? 0 : idx + 1) {
        const slot = owners[idx]!;
        if (marks[slot] === epoch) continue;
        marks[slot] = epoch;
        if (zonesLeft > 0) {
          const z = slotZone[slot]!;
          if (z >= 0) {
            if (zoneMarks[z] === epoch) {
              deferred[parked++] = slot;
              continue;
            }
            zoneMarks[z] = epoch;
            if (--zonesLeft === 0 && parked > 0) {
              // Every zone is represented: the passed-over members come next, in ring order.
              out[count++] = slotName[slot]!;
              for (let d = 0; d < parked && count < want; d++) out[count++] = slotName[deferred[d]!]!;
              parked = 0;
              continue;
            }
          }
        }
        out[count++] = slotName[slot]!;
      }
      for (let d = 0; d < parked && count < want; d++) out[count++] = slotName[deferred[d]!]!;
    }
    if (out.length !== count) out.length = count;
    return count;
  }

  /**
   * farmhash fingerprint32 over the sorted `name, points, zone` list: equal on two agents iff
   * their rings give the same owner for every key (up to a 2^-32 chance). Cached until a change.
   */
  checksum(): number {
    if (this.cachedChecksum !== undefined) return this.cachedChecksum;
    const parts: string[] = [];
    for (const name of this.members()) {
      const e = this.byName.get(name)!;
      const zone = e.zone ?? '';
      parts.push(`${name.length}:${name}:${e.count}:${zone.length}:${zone}`);
    }
    this.cachedChecksum = farmhash.fingerprint32(parts.join(';'));
    return this.cachedChecksum;
  }

  /** A view of the current arrays; O(members), since the arrays are never mutated in place. */
  snapshot(): RingSnapshot {
    return { points: this.points, owners: this.owners, names: this.slotName.slice() };
  }

  /** Index of the first point >= hash, wrapping to 0 past the end. Assumes a non-empty ring. */
  private search(hash: number): number {
    const p = this.points;
    const b = hash >>> this.shift;
    let lo = this.index[b]!;
    let hi = this.index[b + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === p.length ? 0 : lo;
  }

  /**
   * Installs new point arrays and brings the radix index along: shifted in place when only the
   * sorted values `changed` came or went and the bucket width holds, rebuilt otherwise.
   */
  private setPoints(arrays: { points: Uint32Array; owners: Uint32Array }, changed?: Uint32Array, sign?: 1 | -1): void {
    this.points = arrays.points;
    this.owners = arrays.owners;
    if (changed !== undefined && sign !== undefined && radixShift(arrays.points.length) === this.shift) {
      shiftIndex(this.index, this.shift, changed, sign);
    } else {
      ({ index: this.index, shift: this.shift } = radixIndex(arrays.points));
    }
  }

  /** The sorted points of member `name` with `count` vnodes. */
  private pointsOfName(name: string, count: number): Uint32Array {
    const mine = new Uint32Array(count);
    for (let i = 0; i < count; i++) mine[i] = vnodePoint(name, i);
    return mine.sort();
  }

  /** Merges the fresh points of `name` into the sorted arrays; equal points go by name. */
  private mergeIn(name: string, slot: number, count: number): void {
    const { slotName } = this;
    const mine = this.pointsOfName(name, count);
    this.setPoints(
      mergePoints({ points: this.points, owners: this.owners }, mine, slot, (other) => slotName[other]! < name),
      mine,
      1,
    );
  }

  private allocSlot(name: string, zone: string | undefined): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slotName.length;
    this.slotName[slot] = name;
    let z = -1;
    if (zone !== undefined) {
      z = this.zoneIds.get(zone) ?? -1;
      if (z < 0) {
        z = this.zoneMembers.length;
        this.zoneIds.set(zone, z);
        this.zoneMembers.push(0);
      }
      if (this.zoneMembers[z]! === 0) this.zonesInUse++;
      this.zoneMembers[z] = this.zoneMembers[z]! + 1;
    }
    if (this.marks.length <= slot) {
      const size = Math.max(16, (slot + 1) * 2);
      const grown = new Uint32Array(size);
      grown.set(this.marks);
      this.marks = grown;
      const zones = new Int32Array(size).fill(-1);
      zones.set(this.slotZone);
      this.slotZone = zones;
      // At most one parked member per distinct member visited, so slot capacity is enough.
      this.deferred = new Int32Array(size);
    }
    this.slotZone[slot] = z;
    if (this.zoneMarks.length < this.zoneMembers.length) {
      const grown = new Uint32Array(Math.max(16, this.zoneMembers.length * 2));
      grown.set(this.zoneMarks);
      this.zoneMarks = grown;
    }
    return slot;
  }

  private freeSlot(slot: number): void {
    const z = this.slotZone[slot]!;
    if (z >= 0) {
      this.zoneMembers[z] = this.zoneMembers[z]! - 1;
      if (this.zoneMembers[z] === 0) this.zonesInUse--;
    }
    this.slotName[slot] = undefined;
    this.slotZone[slot] = -1;
    this.freeSlots.push(slot);
  }

  private nextEpoch(): number {
    if (this.epoch === 0xffffffff) {
      this.epoch = 0;
      this.marks.fill(0);
      this.zoneMarks.fill(0);
    }
    return ++this.epoch;
  }
}
