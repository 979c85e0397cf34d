/**
 * The membership table. Every write of another member's row passes the precedence order
 * (precedence.ts, where the whole rule lives). Only the member itself raises its incarnation;
 * this table never does.
 */
import { isLive, type Member, type MemberEvent, type MemberEventType, type MemberState } from './types.js';
import { incarnationAllowed, overrides, saysAsMuch } from './precedence.js';
import { EMPTY_TAGS, EMPTY_WIRE_TAGS, sameWireTags } from './tags.js';
import { sharedInterner, tagsKey, type Interner } from './intern.js';
import { avalanche, fmix32, fnv1a, fnv1aDecimal, FNV_OFFSET } from './hash.js';
import type { Entry } from './messages.js';
import { pushRowEntry } from './push-pull.js';
import { addName, FILTER_PROBES, filterLayout, mayHold, nameHashes, partOf } from './name-filter.js';

/** A table row as handed out: the public Member plus the tags as they travel. A snapshot. */
export interface MemberRecord extends Member {
  readonly wireTags: readonly string[];
}

/** The event a transition produces, or undefined when users need not hear of it. */
export function eventFor(previous: MemberRecord | undefined, next: MemberRecord): MemberEventType | undefined {
  if (!previous) return isLive(next.state) ? 'join' : undefined;
  switch (next.state) {
    case 'alive':
      if (previous.state === 'left') return 'join';
      if (previous.state !== 'alive') return 'alive';
      return previous.address !== next.address || !sameWireTags(previous.wireTags, next.wireTags) ? 'update' : undefined;
    case 'suspect':
      if (previous.state === 'suspect') return undefined;
      return previous.state === 'alive' ? 'suspect' : 'join';
    case 'dead':
      return previous.state === 'dead' ? undefined : 'failed';
    case 'left':
      return previous.state === 'left' ? undefined : 'left';
  }
}

// Older imports name the bounds here; they live with the rest of the rule in precedence.ts.
export { MAX_INCARNATION, MAX_INCARNATION_STEP, MAX_NEW_INCARNATION } from './precedence.js';

export interface Claim {
  readonly name: string;
  readonly state: MemberState;
  readonly incarnation: number;
  /** Only alive claims carry an address and tags; others keep what the table holds. */
  readonly address?: string;
  readonly wireTags?: readonly string[];
}

/** States as stored in a row (a byte each), and back. */
const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];
const CODE: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/**
 * The table, compact (issue 16): one row is a slot in parallel typed arrays, and names,
 * addresses and tags are ids into intern pools shared by every table in the process. About
 * 40 bytes per member instead of ~400 for a Map of objects with their own strings. Rows handed
 * out (get, values, events) are MemberRecord snapshots made on demand.
 *
 * Row order is the table's own (insertion order, like a Map's), never the pool's, so traces do
 * not depend on what else the process runs, and are what they were before the table was compact.
 */
export class MembershipTable {
  /** Slot + 1 of each name id (0: not held), indexed by the name pool's ids. */
  private slotOf = new Int32Array(0);
  private rows = 0;
  private nameIds = new Int32Array(16);
  private addressIds = new Int32Array(16);
  private tagIds = new Int32Array(16);
  private states = new Uint8Array(16);
  private incarnations = new Float64Array(16);
  private changedAt = new Float64Array(16);
  private live = 0;
  private aliveRows = 0;
  /**
   * Name ids of the rows that are dead or left: the maintenance walks (reconnect, reap, recent
   * deaths) visit these instead of every row, which at 10,000 members was every agent walking
   * 10,000 rows every few seconds to find none.
   */
  private readonly downIds = new Set<number>();
  /**
   * Rows by the top byte of their name's filter hash (name-filter.ts): a chain per bucket,
   * `bucketHead[b]` the first slot + 1 and `bucketNext[slot]` the next. The answer to one part of
   * a catch-up's filter visits the buckets of its share of the names, not every row: a filter of
   * P parts cost P whole-table scans. Built on the first filter asked of us.
   */
  private bucketHead: Int32Array<ArrayBuffer> | undefined;
  private bucketNext = new Int32Array(0);
  /** Live rows per address id: whom we may answer with more bytes than they sent (anti-entropy.ts). */
  private liveAtAddress = new Int32Array(0);
  // Two order-independent sums of row hashes (mod 2^32): a 53-bit digest of the whole table,
  // kept up to date on every change so that comparing tables costs nothing.
  private sumA = 0;
  private sumB = 0;

  constructor(private readonly pools: Interner = sharedInterner) {}

  get size(): number {
    return this.rows;
  }
  /** Members alive or suspect (ourselves included): the n of every formula. */
  get liveCount(): number {
    return this.live;
  }
  /** Order-independent digest of every name:state:incarnation: equal tables, equal digests. */
  get digest(): number {
    return (this.sumA >>> 0) * 2 ** 21 + ((this.sumB >>> 0) & 0x1fffff);
  }

  /** Members alive (not suspect), ourselves included. */
  get aliveCount(): number {
    return this.aliveRows;
  }
  /** Does a live member (alive or suspect) have this address? */
  liveAt(address: string): boolean {
    const id = this.pools.addresses.idOf(address);
    return id !== undefined && (this.liveAtAddress[id] ?? 0) > 0;
  }
  get(name: string): MemberRecord | undefined {
    const slot = this.slot(name);
    return slot < 0 ? undefined : this.record(slot);
  }
  /** The state held for `name`, without making a record: for the hot paths (sampling peers). */
  stateOf(name: string): MemberState | undefined {
    const slot = this.slot(name);
    return slot < 0 ? undefined : STATES[this.states[slot]!];
  }
  /** The address held for `name`. */
  addressOf(name: string): string | undefined {
    const slot = this.slot(name);
    return slot < 0 ? undefined : this.pools.addresses.item(this.addressIds[slot]!);
  }
  /**
   * Does the row for `name` already say as much as a claim (state, inc) from a state transfer
   * (precedence.ts, saysAsMuch)? One lookup and no record: most rows of a state transfer are old news.
   */
  isOldNews(name: string, state: MemberState, inc: number): boolean {
    const slot = this.slot(name);
    return slot >= 0 && saysAsMuch(state, inc, { state: STATES[this.states[slot]!]!, incarnation: this.incarnations[slot]! });
  }
  /**
   * Does an alive claim say nothing new: we hold the member at this address, at its incarnation
   * or above (in any state)? Then precedence refuses it and no address conflict is at stake.
   * One lookup and no record: each gossiped update reaches every agent several times.
   */
  isOldAliveClaim(name: string, inc: number, address: string): boolean {
    const slot = this.slot(name);
    return (
      slot >= 0 && Number.isSafeInteger(inc) && inc >= 0 && this.incarnations[slot]! >= inc && this.pools.addresses.item(this.addressIds[slot]!) === address
    );
  }
  /** The table's own copy of `name` (shared by every table in the process), if held. */
  internedName(name: string): string | undefined {
    const slot = this.slot(name);
    return slot < 0 ? undefined : this.pools.names.item(this.nameIds[slot]!);
  }
  *values(): IterableIterator<MemberRecord> {
    for (let slot = 0; slot < this.rows; slot++) yield this.record(slot);
  }
  /** The rows dead or left, in table order. */
  down(): MemberRecord[] {
    const slots: number[] = [];
    for (const id of this.downIds) slots.push(this.slotOf[id]! - 1);
    slots.sort((a, b) => a - b);
    return slots.map((slot) => this.record(slot));
  }
  /**
   * Rows as they travel in a state transfer at `now`, in table order: every row, only the row of
   * `only`, or the `newest` last ones. Built from the arrays, without a record per row.
   */
  transferEntries(now: number, only?: string, newest?: number): { entries: Entry[]; sizes: number[] } {
    const entries: Entry[] = [];
    const sizes: number[] = [];
    const one = only === undefined ? -1 : this.slot(only);
    const from = one >= 0 ? one : newest === undefined ? 0 : Math.max(0, this.rows - newest);
    const to = one >= 0 ? one + 1 : only === undefined ? this.rows : 0;
    for (let slot = from; slot < to; slot++) this.pushEntry(slot, now, entries, sizes);
    return { entries, sizes };
  }
  /**
   * A Bloom filter of every name we hold, in parts of at most `maxBytes` (name-filter.ts): what
   * a catch-up sends, so the peer answers with the rows we lack.
   */
  nameFilter(maxBytes: number, salt: number): { parts: number; k: number; bits: Uint8Array[] } {
    const { parts, bytes } = filterLayout(this.rows, maxBytes);
    const bits = Array.from({ length: parts }, () => new Uint8Array(bytes));
    for (let slot = 0; slot < this.rows; slot++) {
      const id = this.hashedId(slot);
      addName(bits[partOf(filterH1[id]!, parts)]!, FILTER_PROBES, fmix32(filterH1[id]! ^ salt), fmix32(filterH2[id]! ^ salt));
    }
    return { parts, k: FILTER_PROBES, bits };
  }

  /** Our rows in part `part` of `parts` whose names the filter does not hold, as they travel at `now`. */
  missingFrom(bits: Uint8Array, k: number, salt: number, part: number, parts: number, now: number): { entries: Entry[]; sizes: number[] } {
    const entries: Entry[] = [];
    const sizes: number[] = [];
    const head = this.buckets();
    // The buckets that hold names of this part: the part's share of the 32-bit hash space.
    const first = Math.floor((part * FILTER_BUCKETS) / parts);
    const last = Math.min(FILTER_BUCKETS - 1, Math.floor(((part + 1) * FILTER_BUCKETS - 1) / parts));
    for (let b = first; b <= last; b++) {
      for (let slot = head[b]! - 1; slot >= 0; slot = this.bucketNext[slot]! - 1) {
        const id = this.hashedId(slot);
        if (partOf(filterH1[id]!, parts) === part && !mayHold(bits, k, fmix32(filterH1[id]! ^ salt), fmix32(filterH2[id]! ^ salt)))
          this.pushEntry(slot, now, entries, sizes);
      }
    }
    return { entries, sizes };
  }

  /** Append a slot's row as it travels at `now` (push-pull.ts, pushRowEntry). */
  private pushEntry(slot: number, now: number, entries: Entry[], sizes: number[]): void {
    const { names, addresses, tags } = this.pools;
    const id = this.nameIds[slot]!;
    const wire = tags.item(this.tagIds[slot]!).wire;
    const state = STATES[this.states[slot]!]!;
    pushRowEntry(id, names.item(id), addresses.item(this.addressIds[slot]!), state, this.incarnations[slot]!, wire, this.changedAt[slot]!, now, entries, sizes);
  }

  /** The bucket chains, built now if they are not. */
  private buckets(): Int32Array {
    if (this.bucketHead) return this.bucketHead;
    this.bucketHead = new Int32Array(FILTER_BUCKETS);
    this.bucketNext = new Int32Array(this.nameIds.length);
    for (let slot = 0; slot < this.rows; slot++) this.chain(slot);
    return this.bucketHead;
  }

  private chain(slot: number): void {
    const b = filterH1[this.hashedId(slot)]! >>> FILTER_BUCKET_SHIFT;
    this.bucketNext[slot] = this.bucketHead![b]!;
    this.bucketHead![b] = slot + 1;
  }

  /** The name id of a slot, its hashes cached. */
  private hashedId(slot: number): number {
    const id = this.nameIds[slot]!;
    const name = this.pools.names.item(id);
    if (hashedName[id] !== name) cacheNameHashes(id, name);
    return id;
  }

  /** Names of the rows, in table order. */
  *names(): IterableIterator<string> {
    for (let slot = 0; slot < this.rows; slot++) yield this.pools.names.item(this.nameIds[slot]!);
  }

  /**
   * Apply a claim if precedence lets it through. Returns the event to publish (or null when
   * nothing changed that users care about) and whether the row changed at all.
   */
  apply(claim: Claim, now: number): { changed: boolean; event: MemberEvent | null } {
    const slot = this.slot(claim.name);
    const held = slot < 0 ? undefined : { state: STATES[this.states[slot]!]!, incarnation: this.incarnations[slot]! };
    if (held && !overrides(claim.state, claim.incarnation, held)) return UNCHANGED;
    // The last line of defence for rows merged straight into the table (push-pull).
    if (!incarnationAllowed(claim.state, claim.incarnation, held?.incarnation)) return UNCHANGED;
    if (!held && claim.address === undefined) return UNCHANGED;
    const previous = slot < 0 ? undefined : this.record(slot);
    const wireTags = claim.wireTags ?? previous?.wireTags ?? EMPTY_WIRE_TAGS;
    const next: MemberRecord = {
      name: claim.name,
      address: claim.address ?? previous!.address,
      state: claim.state,
      incarnation: claim.incarnation,
      tags: EMPTY_TAGS,
      wireTags,
      stateChangedAt: previous && previous.state === claim.state ? previous.stateChangedAt : now,
    };
    const stored = this.write(next);
    const type = eventFor(previous, stored);
    return { changed: true, event: type ? { type, member: stored, previous: previous?.state } : null };
  }

  /** Replace a row without precedence: for our own row, which only we write. Returns the row as stored. */
  set(record: MemberRecord): MemberRecord {
    return this.write(record);
  }

  delete(name: string): void {
    const slot = this.slot(name);
    if (slot < 0) return;
    this.count(slot, -1);
    const { names, addresses, tags } = this.pools;
    const nameId = this.nameIds[slot]!;
    addresses.release(this.addressIds[slot]!);
    tags.release(this.tagIds[slot]!);
    this.slotOf[nameId] = 0;
    // Close the gap, keeping the order (a Map's): deletes are rare (reaping), and an order that
    // only depends on what was inserted keeps traces as they were before the table was compact.
    const end = this.rows--;
    for (const a of [this.nameIds, this.addressIds, this.tagIds, this.states, this.incarnations, this.changedAt]) a.copyWithin(slot, slot + 1, end);
    for (let s = slot; s < this.rows; s++) this.slotOf[this.nameIds[s]!] = s + 1;
    // Slots moved: the chains are rebuilt when next asked for (deletes are rare: reaping).
    this.bucketHead = undefined;
    names.release(nameId);
  }

  private slot(name: string): number {
    const id = this.pools.names.idOf(name);
    return id === undefined ? -1 : (this.slotOf[id] ?? 0) - 1;
  }

  private record(slot: number): MemberRecord {
    const t = this.pools.tags.item(this.tagIds[slot]!);
    return {
      name: this.pools.names.item(this.nameIds[slot]!),
      address: this.pools.addresses.item(this.addressIds[slot]!),
      state: STATES[this.states[slot]!]!,
      incarnation: this.incarnations[slot]!,
      tags: t.tags,
      wireTags: t.wire,
      stateChangedAt: this.changedAt[slot]!,
    };
  }

  /** Store a row (new or replacing); the returned record carries the interned strings. */
  private write(r: MemberRecord): MemberRecord {
    const { names, addresses, tags } = this.pools;
    let slot = this.slot(r.name);
    if (slot >= 0) {
      this.count(slot, -1);
      // Acquire before release: the same string must not be freed and re-made in between.
      const a = addresses.acquire(r.address);
      addresses.release(this.addressIds[slot]!);
      this.addressIds[slot] = a;
      const t = tags.acquire(tagsKey(r.wireTags));
      tags.release(this.tagIds[slot]!);
      this.tagIds[slot] = t;
    } else {
      slot = this.rows++;
      if (slot >= this.nameIds.length) this.growRows();
      const id = names.acquire(r.name);
      if (id >= this.slotOf.length) this.slotOf = grow(this.slotOf, names.capacity);
      this.slotOf[id] = slot + 1;
      this.nameIds[slot] = id;
      if (this.bucketHead) this.chain(slot);
      this.addressIds[slot] = addresses.acquire(r.address);
      this.tagIds[slot] = tags.acquire(tagsKey(r.wireTags));
    }
    this.states[slot] = CODE[r.state];
    this.incarnations[slot] = r.incarnation;
    this.changedAt[slot] = r.stateChangedAt;
    this.count(slot, 1);
    return this.record(slot);
  }

  /** Make room for `rows` rows at once (a state transfer says about how many are coming). */
  reserve(rows: number): void {
    if (rows > this.nameIds.length) this.growRows(rows);
  }

  private growRows(atLeast = 0): void {
    // A quarter more each time, not double: at 10,000 members doubling leaves up to 40 % unused.
    const n = Math.max(atLeast, this.nameIds.length + (this.nameIds.length >> 2) + 16);
    this.nameIds = grow(this.nameIds, n);
    this.addressIds = grow(this.addressIds, n);
    this.tagIds = grow(this.tagIds, n);
    const states = new Uint8Array(n);
    states.set(this.states);
    this.states = states;
    this.incarnations = growFloat(this.incarnations, n);
    this.changedAt = growFloat(this.changedAt, n);
    if (this.bucketHead) this.bucketNext = grow(this.bucketNext, n);
  }

  private count(slot: number, sign: 1 | -1): void {
    const state = STATES[this.states[slot]!]!;
    if (isLive(state)) {
      this.live += sign;
      const a = this.addressIds[slot]!;
      if (a >= this.liveAtAddress.length) this.liveAtAddress = grow(this.liveAtAddress, this.pools.addresses.capacity);
      this.liveAtAddress[a]! += sign;
    }
    if (state === 'alive') this.aliveRows += sign;
    else if (!isLive(state)) {
      if (sign > 0) this.downIds.add(this.nameIds[slot]!);
      else this.downIds.delete(this.nameIds[slot]!);
    }
    // The hashes of the line `${name}:${state}:${incarnation}` (fnv1a32, two seeds), from the
    // name's cached prefix: every row change counts twice, and a join burst changes N² rows.
    const id = this.hashedId(slot);
    const inc = this.incarnations[slot]!;
    const tail = STATE_TAILS[this.states[slot]!]!;
    this.sumA = (this.sumA + sign * avalanche(fnv1aDecimal(fnv1a(prefixA[id]!, tail), inc))) | 0;
    this.sumB = (this.sumB + sign * avalanche(fnv1aDecimal(fnv1a(prefixB[id]!, tail), inc))) | 0;
  }
}

const UNCHANGED = Object.freeze({ changed: false, event: null });

/** Buckets of the rows by the top byte of the filter hash (MembershipTable.missingFrom). */
const FILTER_BUCKETS = 256;
const FILTER_BUCKET_SHIFT = 24;

/** `${state}:` per state code. */
const STATE_TAILS: readonly string[] = STATES.map((st) => `${st}:`);
const DIGEST_SEED_B = 0x9747b28c;
/**
 * Hashes of each name, by name id, and the name they are for (ids are reused once a name goes,
 * and a test may give a table pools of its own): the FNV states after `${name}:` of both digest
 * hashes, and the name filter's two hashes (name-filter.ts).
 */
const hashedName: (string | undefined)[] = [];
let prefixA = new Uint32Array(0);
let prefixB = new Uint32Array(0);
let filterH1 = new Uint32Array(0);
let filterH2 = new Uint32Array(0);
function cacheNameHashes(id: number, name: string): void {
  if (id >= prefixA.length) {
    const n = Math.max(id + 1, prefixA.length * 2, 64);
    const grown = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    prefixA = grown(prefixA);
    prefixB = grown(prefixB);
    filterH1 = grown(filterH1);
    filterH2 = grown(filterH2);
  }
  prefixA[id] = fnv1a(fnv1a(FNV_OFFSET, name), ':');
  prefixB[id] = fnv1a(fnv1a(DIGEST_SEED_B, name), ':');
  [filterH1[id], filterH2[id]] = nameHashes(name);
  hashedName[id] = name;
}

/** A copy at least `min` long (and a quarter longer: amortized growth). */
function grow(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(min, a.length + (a.length >> 2) + 16));
  out.set(a);
  return out;
}
function growFloat(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(n);
  out.set(a);
  return out;
}
