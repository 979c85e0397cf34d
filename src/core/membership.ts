/**
 * The membership table and the precedence rules that every update passes through.
 *
 * Precedence: a higher incarnation wins; at equal incarnation left > dead > suspect > alive.
 * (Left outranks dead so that a member that left and then stopped answering shows `left`, never
 * `failed`.) Only the member itself raises its incarnation; this table never does.
 */
import type { Member, MemberEvent, MemberEventType, MemberState } from './types.js';
import { EMPTY_WIRE_TAGS, sameWireTags, tagsFromWire } from './tags.js';
import { fnv1a32 } from './hash.js';

/** A table row: the public Member plus the tags as they travel. Immutable; replaced on change. */
export interface MemberRecord extends Member {
  readonly wireTags: readonly string[];
}

const rank: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/** Does a claim (state, incarnation) override what we hold? The one precedence rule. */
export function overrides(state: MemberState, inc: number, current: { state: MemberState; incarnation: number }): boolean {
  if (inc !== current.incarnation) return inc > current.incarnation;
  return rank[state] > rank[current.state];
}

/** The event a transition produces, or undefined when users need not hear of it. */
export function eventFor(previous: MemberRecord | undefined, next: MemberRecord): MemberEventType | undefined {
  if (!previous) return next.state === 'alive' || next.state === 'suspect' ? 'join' : undefined;
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

/**
 * Incarnation bounds (issue 18, finding 2). A member refutes a claim by going one above it, so a
 * claim at the last incarnation the wire carries (2^53 - 1) would lock it out for good. Claims
 * about others may raise what we hold by at most MAX_INCARNATION_STEP, and a member we do not
 * hold enters at most at MAX_NEW_INCARNATION: a forger must make the member refute about 2^29
 * times to walk it to the top, and every honest jump (refutations and tag changes we missed)
 * is far smaller. Accusations stop one below the top, so the top itself is always a refutation.
 */
export const MAX_INCARNATION_STEP = 2 ** 24;
export const MAX_NEW_INCARNATION = 2 ** 40;
export const MAX_INCARNATION = Number.MAX_SAFE_INTEGER;

/** May a claim (state, inc) about a member we hold at `held` (undefined: not held) be taken? */
export function incarnationAllowed(state: MemberState, inc: number, held: number | undefined): boolean {
  const ceiling = state === 'alive' ? MAX_INCARNATION : MAX_INCARNATION - 1;
  if (!Number.isSafeInteger(inc) || inc < 0 || inc > ceiling) return false;
  return inc <= (held === undefined ? MAX_NEW_INCARNATION : Math.max(held, 0) + MAX_INCARNATION_STEP);
}

export interface Claim {
  readonly name: string;
  readonly state: MemberState;
  readonly incarnation: number;
  /** Only alive claims carry an address and tags; others keep what the table holds. */
  readonly address?: string;
  readonly wireTags?: readonly string[];
}

export class MembershipTable {
  private readonly rows = new Map<string, MemberRecord>();
  private live = 0;
  private aliveRows = 0;
  /** Live rows per address: whom we may answer with more bytes than they sent (anti-entropy.ts). */
  private readonly liveAddresses = new Map<string, number>();
  // Two order-independent sums of row hashes (mod 2^32): a 53-bit digest of the whole table,
  // kept up to date on every change so that comparing tables costs nothing.
  private sumA = 0;
  private sumB = 0;

  get size(): number {
    return this.rows.size;
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
    return this.liveAddresses.has(address);
  }
  get(name: string): MemberRecord | undefined {
    return this.rows.get(name);
  }
  values(): IterableIterator<MemberRecord> {
    return this.rows.values();
  }

  /**
   * Apply a claim if precedence lets it through. Returns the event to publish (or null when
   * nothing changed that users care about) and whether the row changed at all.
   */
  apply(claim: Claim, now: number): { changed: boolean; event: MemberEvent | null; record: MemberRecord | undefined } {
    const previous = this.rows.get(claim.name);
    if (previous && !overrides(claim.state, claim.incarnation, previous)) return { changed: false, event: null, record: previous };
    // The last line of defence for rows merged straight into the table (push-pull).
    if (!incarnationAllowed(claim.state, claim.incarnation, previous?.incarnation)) return { changed: false, event: null, record: previous };
    if (!previous && claim.address === undefined) return { changed: false, event: null, record: undefined };
    const address = claim.address ?? previous!.address;
    const wireTags = claim.wireTags ?? previous?.wireTags ?? EMPTY_WIRE_TAGS;
    const sameTags = previous !== undefined && sameWireTags(previous.wireTags, wireTags);
    const next: MemberRecord = {
      name: claim.name,
      address,
      state: claim.state,
      incarnation: claim.incarnation,
      tags: sameTags ? previous.tags : tagsFromWire(wireTags),
      wireTags: sameTags ? previous.wireTags : wireTags,
      stateChangedAt: previous && previous.state === claim.state ? previous.stateChangedAt : now,
    };
    this.set(next);
    const type = eventFor(previous, next);
    return { changed: true, event: type ? { type, member: next, previous: previous?.state } : null, record: next };
  }

  /** Replace a row without precedence: for our own row, which only we write. */
  set(record: MemberRecord): void {
    const previous = this.rows.get(record.name);
    if (previous) this.count(previous, -1);
    this.count(record, 1);
    this.rows.set(record.name, record);
  }

  delete(name: string): void {
    const previous = this.rows.get(name);
    if (!previous) return;
    this.count(previous, -1);
    this.rows.delete(name);
  }

  private count(r: MemberRecord, sign: 1 | -1): void {
    if (isLive(r.state)) {
      this.live += sign;
      const n = (this.liveAddresses.get(r.address) ?? 0) + sign;
      if (n > 0) this.liveAddresses.set(r.address, n);
      else this.liveAddresses.delete(r.address);
    }
    if (r.state === 'alive') this.aliveRows += sign;
    this.fold(r, sign);
  }

  private fold(r: MemberRecord, sign: 1 | -1): void {
    const line = `${r.name}:${r.state}:${r.incarnation}`;
    this.sumA = (this.sumA + sign * fnv1a32(line)) | 0;
    this.sumB = (this.sumB + sign * fnv1a32(line, 0x9747b28c)) | 0;
  }
}

export function isLive(state: MemberState): boolean {
  return state === 'alive' || state === 'suspect';
}
