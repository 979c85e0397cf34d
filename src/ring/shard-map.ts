/**
 * ShardMap (the original ShardingStrategy): keys map to a fixed set of shards, shards to their
 * `replicas` owners. Key -> shard depends on the strategy:
 *
 * - `hash`: the key's fingerprint32 scaled to [0, shards): shard i holds the i-th equal slice of
 *   the hash space, so shards never move between keys when members change.
 * - `range`: ordered split points; shard of a key found by binary search, so a range scan
 *   touches adjacent shards. Ranges split (new shard, same owners: no data moves at split time)
 *   and merge (with the right-hand neighbour).
 * - `directory`: `hash`, overridden by an explicit key-prefix table (longest prefix wins).
 *
 * Shard -> owners is a placement (placement.ts) recomputed by `rebalance(members)`, which
 * returns the plan `{shard, from, to}`: only replicas whose owner changed appear. Pins (a member
 * forced onto a shard) override placement in every strategy and take effect at the next
 * rebalance, whose plan reports what they moved.
 */
import farmhash from 'farmhash';
import { ClusterError } from '../errors.js';
import { hashKey, weightOf, zoneOf, type RingKey } from './hash.js';
import type { RingMember } from './hash-ring.js';
import { hrwScore, memberHashOf as memberHash, place, shardHash, type Assignment, type PlacementMember, type PlacementMethod } from './placement.js';

/**
 * Shards by default: a member holds ~245 replicas at 100 members × 3 replicas, which is what lets
 * `rounds` keep max/mean <= 1.05 while one join or leave moves ~1.0-1.05× the ideal. The cap that
 * 1.05 needs is what moves more: its step on a change is shed by the members sitting at it, about
 * the same count whatever the shard count, so it weighs less the more each member holds (1024
 * shards: 1.8×, 2048: 1.4×, 4096: 1.1× with one size at 1.26× in a short run; bench/RING.md).
 */
export const DEFAULT_SHARDS = 8192;

/** How keys map to shards. */
export type ShardStrategy = 'hash' | 'range' | 'directory';

/** One replica changing hands; `from` undefined = a new replica, `to` undefined = dropped. */
export interface ShardMove {
  readonly shard: number;
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/** A shard as listed by `allShards`. */
export interface ShardInfo {
  readonly id: number;
  /** Owner names, primary first. */
  readonly owners: readonly string[];
  readonly pinned: readonly string[];
  /** For `range`: keys in [start, end); `end` undefined = no upper bound. */
  readonly range?: { readonly start: string; readonly end: string | undefined };
}

/** Options for a {@link ShardMap}. */
export interface ShardMapInit {
  /**
   * Number of shards for `hash` and `directory` (fixed for the map's life). Default 8192
   * ({@link DEFAULT_SHARDS}): at 1024 no pure placement met both 1.05 balance and ~1.2× movement.
   */
  readonly shards?: number;
  /** Owners per shard, on distinct members (fewer while members are fewer). Default 3. */
  readonly replicas?: number;
  /** Default `hash`. */
  readonly strategy?: ShardStrategy;
  /**
   * Default `rounds`: a pure function of the member set (every agent computes the same owners
   * with no coordinator), max/mean <= 1.05, ~1.0-1.05× the ideal movement at the default 8192
   * shards and 100 members (bench/RING.md), replicas in distinct zones first. `sticky` moves the
   * minimum but depends on the order of past changes.
   */
  readonly placement?: PlacementMethod;
  /** `rounds` and `bounded`: a member holds at most max(ceil(share), floor(c × share)). Default 1.05. */
  readonly capacityFactor?: number;
  /** `range` only: initial ordered split points; shards = splits + 1. Default none (1 shard). */
  readonly splits?: readonly string[];
}

/** The members of the last rebalance, sorted by name, as `lookup` past the replicas reads them. */
interface Placed {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly hash: Uint32Array;
  readonly weight: Float64Array;
  readonly zone: readonly (string | undefined)[];
}

const NO_OWNERS: readonly string[] = [];

/** Owners kept per shard for lookups past the replicas: the admin API's largest `n`. */
const EXTEND_CACHED = 64;

/** Bytes compare as latin1 text, which keeps byte order; strings compare by UTF-16 code unit. */
function keyText(key: RingKey): string {
  return typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export class ShardMap {
  /** How keys map to shards. */
  readonly strategy: ShardStrategy;
  /** Owners wanted per shard. */
  readonly replicas: number;
  /** How replicas are placed on members. */
  readonly placement: PlacementMethod;
  private readonly capacityFactor: number;
  private readonly hashShards: number;
  private owners = new Map<number, readonly string[]>();
  // The same owner lists indexed by shard id (ids are small integers): `lookup` reads an array
  // slot, not a Map entry. Rebuilt whenever `owners` changes.
  private byId: (readonly string[] | undefined)[] = [];
  // The members of the last rebalance, sorted by name, for lookups past the replicas.
  private placed: Placed = { names: [], index: new Map(), hash: new Uint32Array(0), weight: new Float64Array(0), zone: [] };
  // lookup(key, n > replicas) per shard, computed at the first such lookup and kept until the
  // owners change: at most shards × EXTEND_CACHED names.
  private extended = new Map<number, readonly string[]>();
  private readonly pins = new Map<number, string[]>();
  // range: shard i covers [bounds[i-1], bounds[i]); ids parallel, length bounds.length + 1.
  private readonly bounds: string[] = [];
  private readonly rangeIds: number[] = [];
  private nextId = 0;
  private readonly prefixes = new Map<string, number>();
  private prefixLengths: number[] = [];

  constructor(init: ShardMapInit = {}) {
    this.strategy = init.strategy ?? 'hash';
    this.replicas = init.replicas ?? 3;
    this.placement = init.placement ?? 'rounds';
    this.capacityFactor = init.capacityFactor ?? 1.05;
    this.hashShards = init.shards ?? DEFAULT_SHARDS;
    const bad: string[] = [];
    if (!Number.isInteger(this.hashShards) || this.hashShards < 1) bad.push(`shards (${this.hashShards}) must be a positive integer`);
    if (!Number.isInteger(this.replicas) || this.replicas < 1) bad.push(`replicas (${this.replicas}) must be a positive integer`);
    if (!(this.capacityFactor >= 1)) bad.push(`capacityFactor (${this.capacityFactor}) must be >= 1`);
    const splits = init.splits ?? [];
    if (splits.length > 0 && this.strategy !== 'range') bad.push('splits are only for strategy "range"');
    for (let i = 1; i < splits.length; i++) {
      if (!(splits[i - 1]! < splits[i]!)) bad.push(`splits must be strictly ascending (at index ${i})`);
    }
    if (bad.length > 0) throw new ClusterError('ERR_ARGUMENT', bad.join('; '));
    if (this.strategy === 'range') {
      this.bounds.push(...splits);
      for (let i = 0; i <= splits.length; i++) this.rangeIds.push(this.nextId++);
    } else {
      this.nextId = this.hashShards;
    }
    for (const id of this.shardIds()) this.owners.set(id, []);
    this.ownersChanged();
  }

  /** Shard ids, ascending (for `range`, in id order, not key order). */
  shardIds(): number[] {
    if (this.strategy === 'range') return [...this.rangeIds].sort((a, b) => a - b);
    return Array.from({ length: this.hashShards }, (_, i) => i);
  }

  /** Places every shard on `members` for the first time; same as `rebalance` from empty. */
  createShards(members: readonly RingMember[]): ShardMove[] {
    return this.rebalance(members);
  }

  /** The shard holding `key`. O(log shards) for `range`, O(1) hash + prefix probes otherwise. */
  shardForKey(key: RingKey): number {
    if (this.strategy === 'range') {
      const k = keyText(key);
      let lo = 0;
      let hi = this.bounds.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.bounds[mid]! <= k) lo = mid + 1;
        else hi = mid;
      }
      return this.rangeIds[lo]!;
    }
    if (this.strategy === 'directory' && this.prefixLengths.length > 0) {
      const k = keyText(key);
      for (const len of this.prefixLengths) {
        if (len > k.length) continue;
        const shard = this.prefixes.get(k.slice(0, len));
        if (shard !== undefined) return shard;
      }
    }
    // Multiply-shift, not modulo: no bias, and shard i is a contiguous slice of hash space.
    return Math.floor((hashKey(key) * this.hashShards) / 4294967296);
  }

  /** Owners of `shard`, primary first; empty before the first rebalance. */
  ownersOf(shard: number): readonly string[] {
    const o = this.owners.get(shard);
    if (o === undefined) throw new ClusterError('ERR_ARGUMENT', `no shard ${shard}`);
    return o;
  }

  /** Owners of the shard holding `key`. */
  ownersForKey(key: RingKey): readonly string[] {
    return this.ownersOf(this.shardForKey(key));
  }

  /**
   * The owners of `key`, primary first: `min(n, members)` distinct names. The first `replicas`
   * are the owners of the key's shard (what `shards-changed` moves data to); asking for more adds
   * the other members in the shard's rendezvous order (weighted), members of a zone not yet listed
   * first. This is the one answer `Cluster.lookup`, key affinity and `/v1/lookup` give. O(1) up to
   * `replicas`; beyond, the first such lookup in a shard sorts the members once, and the list (up
   * to 64 names; a prefix of it answers smaller `n`) is kept until the owners change.
   */
  lookup(key: RingKey, n = 1): string[] {
    // The hot path of every owner answer: for `hash`, the key's hash is inlined as in
    // HashRing.lookup (each extra frame showed in bench/ring.ts), then one array read.
    const shard =
      this.strategy === 'hash'
        ? Math.floor(((typeof key === 'string' ? farmhash.fingerprint32(key) : hashKey(key)) * this.hashShards) / 4294967296)
        : this.shardForKey(key);
    const owners = this.byId[shard] ?? NO_OWNERS;
    const want = Math.min(Math.floor(n), this.placed.names.length);
    if (!(want > owners.length)) return owners.slice(0, Math.max(0, want));
    let list = this.extended.get(shard);
    if (list === undefined || list.length < want) {
      list = this.extend(shard, owners, Math.max(want, Math.min(EXTEND_CACHED, this.placed.names.length)));
      if (list.length <= EXTEND_CACHED) this.extended.set(shard, list);
    }
    return list.slice(0, want);
  }

  /** `owners` followed by the best-scored other members of `shard`, zones not yet listed first. */
  private extend(shard: number, owners: readonly string[], want: number): string[] {
    const { names, index, hash, weight, zone } = this.placed;
    const n = names.length;
    const sh = shardHash(shard);
    const out = [...owners];
    const seen = new Set<string>();
    const owner = new Uint8Array(n);
    for (const o of owners) {
      const i = index.get(o);
      if (i === undefined) continue;
      owner[i] = 1;
      const z = zone[i];
      if (z !== undefined) seen.add(z);
    }
    const score = new Float64Array(n);
    const rest = new Int32Array(n - owners.length);
    let r = 0;
    for (let i = 0; i < n; i++) {
      if (owner[i] === 1) continue;
      score[i] = hrwScore(hash[i]!, sh, weight[i]!);
      rest[r++] = i;
    }
    const order = rest.subarray(0, r).sort((a, b) => score[b]! - score[a]! || a - b);
    const later: number[] = [];
    for (const i of order) {
      if (out.length >= want) break;
      const z = zone[i];
      if (z !== undefined && seen.has(z)) {
        later.push(i);
        continue;
      }
      if (z !== undefined) seen.add(z);
      out.push(names[i]!);
    }
    for (const i of later) {
      if (out.length >= want) break;
      out.push(names[i]!);
    }
    return out;
  }

  /** Every shard with its owners, pins and (for `range`) key range, in id order. */
  allShards(): ShardInfo[] {
    const ranges = new Map<number, { start: string; end: string | undefined }>();
    this.rangeIds.forEach((id, i) => ranges.set(id, { start: i === 0 ? '' : this.bounds[i - 1]!, end: this.bounds[i] }));
    return this.shardIds().map((id) => {
      const range = ranges.get(id);
      const base = { id, owners: this.ownersOf(id), pinned: [...(this.pins.get(id) ?? [])] };
      return range === undefined ? base : { ...base, range };
    });
  }

  /** The current assignment, shard id -> owners; a copy safe to keep. */
  assignment(): Map<number, readonly string[]> {
    return new Map(this.owners);
  }

  /** fingerprint32 of the assignment; equal on two agents iff they place every replica alike. */
  checksum(): number {
    const parts = [...this.owners].sort((a, b) => a[0] - b[0]).map(([s, o]) => `${s}=${o.map((n) => `${n.length}:${n}`).join(',')}`);
    return farmhash.fingerprint32(parts.join(';'));
  }

  /** Forces `member` to own `shard` (as primary) from the next rebalance on, while it is a member. */
  pin(shard: number, member: string): void {
    this.ownersOf(shard);
    const list = this.pins.get(shard) ?? [];
    if (!list.includes(member)) list.push(member);
    this.pins.set(shard, list);
  }

  /** Removes a pin; the next rebalance may move the shard away from `member`. */
  unpin(shard: number, member: string): void {
    const list = (this.pins.get(shard) ?? []).filter((m) => m !== member);
    if (list.length === 0) this.pins.delete(shard);
    else this.pins.set(shard, list);
  }

  /**
   * Places shards on `members` (their `weight` tags count) and returns the moves from the
   * previous assignment, shard by shard: only replicas whose owner changed.
   */
  rebalance(members: readonly RingMember[]): ShardMove[] {
    const byName = new Map<string, PlacementMember>();
    for (const m of members) byName.set(m.name, { name: m.name, weight: weightOf(m.tags), zone: zoneOf(m.tags) });
    const list = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.placed = {
      names: list.map((m) => m.name),
      index: new Map(list.map((m, i) => [m.name, i])),
      hash: Uint32Array.from(list, (m) => memberHash(m.name)),
      weight: Float64Array.from(list, (m) => m.weight),
      zone: list.map((m) => m.zone),
    };
    const next = place(this.placement, {
      shards: this.shardIds(),
      members: list,
      replicas: this.replicas,
      pins: this.pins,
      previous: this.owners,
      capacityFactor: this.capacityFactor,
    });
    const moves = planMoves(this.owners, next);
    this.owners = next;
    this.ownersChanged();
    return moves;
  }

  /** `range`: splits the shard holding `at` so keys >= `at` go to a new shard with the same owners. */
  split(at: string): number {
    this.need('range', 'split');
    const shard = this.shardForKey(at);
    const i = this.rangeIds.indexOf(shard);
    if (i > 0 && this.bounds[i - 1] === at) throw new ClusterError('ERR_ARGUMENT', `"${at}" is already a split point`);
    if (i === 0 && at === '') throw new ClusterError('ERR_ARGUMENT', 'cannot split at the empty key');
    const id = this.nextId++;
    this.bounds.splice(i, 0, at);
    this.rangeIds.splice(i + 1, 0, id);
    this.owners.set(id, this.ownersOf(shard));
    this.ownersChanged();
    return id;
  }

  /**
   * `range`: merges `shard` with its right-hand neighbour, which disappears; the merged shard
   * keeps `shard`'s owners. Returns the removed shard id; its data must move to those owners.
   */
  merge(shard: number): number {
    this.need('range', 'merge');
    const i = this.rangeIds.indexOf(shard);
    if (i < 0) throw new ClusterError('ERR_ARGUMENT', `no shard ${shard}`);
    const right = this.rangeIds[i + 1];
    if (right === undefined) throw new ClusterError('ERR_ARGUMENT', `shard ${shard} is the last range`);
    this.bounds.splice(i, 1);
    this.rangeIds.splice(i + 1, 1);
    this.owners.delete(right);
    this.pins.delete(right);
    this.ownersChanged();
    return right;
  }

  /** `directory`: keys starting with `prefix` go to `shard` (longest matching prefix wins). */
  setPrefix(prefix: string, shard: number): void {
    this.need('directory', 'setPrefix');
    this.ownersOf(shard);
    if (prefix === '') throw new ClusterError('ERR_ARGUMENT', 'prefix must not be empty');
    this.prefixes.set(prefix, shard);
    this.prefixLengths = [...new Set([...this.prefixes.keys()].map((p) => p.length))].sort((a, b) => b - a);
  }

  /** `directory`: removes a prefix entry; its keys fall back to hashing. */
  clearPrefix(prefix: string): void {
    this.need('directory', 'clearPrefix');
    this.prefixes.delete(prefix);
    this.prefixLengths = [...new Set([...this.prefixes.keys()].map((p) => p.length))].sort((a, b) => b - a);
  }

  /** Brings what `lookup` reads along with `owners`. */
  private ownersChanged(): void {
    const byId: (readonly string[] | undefined)[] = [];
    for (const [id, o] of this.owners) byId[id] = o;
    this.byId = byId;
    this.extended.clear();
  }

  private need(strategy: ShardStrategy, op: string): void {
    if (this.strategy !== strategy) {
      throw new ClusterError('ERR_ARGUMENT', `${op} needs strategy "${strategy}" (this map uses "${this.strategy}")`);
    }
  }
}

/**
 * Moves turning `before` into `after`: per shard, owners lost are paired with owners gained.
 * Replica order is not a move (no data travels when the primary changes).
 */
export function planMoves(before: Assignment, after: Assignment): ShardMove[] {
  const moves: ShardMove[] = [];
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  for (const shard of ids) {
    const old = before.get(shard) ?? [];
    const now = after.get(shard) ?? [];
    const lost = old.filter((m) => !now.includes(m));
    const gained = now.filter((m) => !old.includes(m));
    for (let k = 0; k < Math.max(lost.length, gained.length); k++) moves.push({ shard, from: lost[k], to: gained[k] });
  }
  return moves;
}

/** Applies a plan to an assignment (replace `from` by `to`); the inverse of `planMoves`. */
export function applyMoves(before: Assignment, moves: readonly ShardMove[]): Map<number, string[]> {
  const out = new Map<number, string[]>([...before].map(([s, o]) => [s, [...o]]));
  for (const { shard, from, to } of moves) {
    const list = out.get(shard) ?? [];
    const at = from === undefined ? -1 : list.indexOf(from);
    if (at >= 0 && to !== undefined) list[at] = to;
    else if (at >= 0) list.splice(at, 1);
    else if (to !== undefined) list.push(to);
    out.set(shard, list);
  }
  return out;
}
