/**
 * The piggyback queue: updates waiting to ride on outgoing packets.
 *
 * Each update is sent at most `limit` times (retransmitMult × ceil(log10(n+1))), least-sent first
 * and, among equals, roughly newest first; newer news about a member replaces older. Items sit
 * in buckets by transmit count so that taking a packet's worth costs about what it returns, not
 * the queue's length (the queue holds thousands of items during a join burst).
 */
import type { Message } from './messages.js';

interface Item {
  readonly name: string;
  readonly msg: Message;
  readonly size: number;
  transmits: number;
  live: boolean;
}

/** Smallest useful update; below this much room a packet is full. */
const MIN_UPDATE_BYTES = 10;
/** Give up looking for a smaller update after this many that did not fit. */
const MAX_MISSES = 8;

export class BroadcastQueue {
  private readonly byName = new Map<string, Item>();
  private readonly buckets: Item[][] = [];
  private stale = 0;

  /** Messages dropped unsent-enough because the queue was full (maxPending). */
  dropped = 0;

  /**
   * `maxSize`: the most one update may take (a packet of nothing else); bigger ones are refused.
   * `maxPending`: the most kept; past it the most-sent one goes.
   */
  constructor(
    private readonly sizeOf: (m: Message) => number,
    private readonly maxSize = Infinity,
    private readonly maxPending = Infinity,
  ) {}

  /** Updates still to send. */
  get pending(): number {
    return this.byName.size;
  }

  /**
   * Queue a message under `key` (for membership news, the member's name), replacing any older
   * one under the same key. Returns false for a message too big for any packet: it could never
   * be sent, and queued it would never be retired either. The older one is dropped all the same
   * (it is no longer news).
   */
  enqueue(msg: Message, key: string): boolean {
    const old = this.byName.get(key);
    if (old) {
      old.live = false;
      this.stale++;
      this.byName.delete(key);
    }
    const size = this.sizeOf(msg);
    if (size > this.maxSize) return false;
    const item: Item = { name: key, msg, size, transmits: 0, live: true };
    this.byName.set(key, item);
    this.bucket(0).push(item);
    if (this.byName.size > this.maxPending) this.dropMostSent();
    if (this.stale > 64 && this.stale > this.byName.size) this.compact();
    return true;
  }

  /** Drop the live message sent most often: the one that has spread furthest. */
  private dropMostSent(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      const b = this.buckets[t]!;
      for (let i = b.length - 1; i >= 0; i--) {
        const it = b[i]!;
        if (!it.live) continue;
        this.retire(it);
        removeAt(b, i);
        this.dropped++;
        return;
      }
    }
  }

  /** Times the message queued under `key` was sent, or undefined when none is queued. */
  transmitsOf(key: string): number | undefined {
    return this.byName.get(key)?.transmits;
  }

  /**
   * Append to `out` the updates that fit in `budget` bytes, counting each as sent once.
   * Returns the bytes used.
   */
  take(budget: number, limit: number, out: Message[]): number {
    if (this.byName.size === 0) return 0;
    let used = 0;
    let misses = 0;
    const moved: Item[] = [];
    outer: for (let t = 0; t < this.buckets.length; t++) {
      const b = this.buckets[t]!;
      for (let i = b.length - 1; i >= 0; i--) {
        const it = b[i]!;
        if (!it.live || t >= limit) {
          if (it.live) this.retire(it);
          else this.stale--;
          removeAt(b, i);
          continue;
        }
        if (used + it.size > budget) {
          if (++misses >= MAX_MISSES) break outer;
          continue;
        }
        out.push(it.msg);
        used += it.size;
        removeAt(b, i);
        it.transmits++;
        if (it.transmits >= limit) this.retire(it);
        else moved.push(it);
        if (budget - used < MIN_UPDATE_BYTES) break outer;
      }
    }
    for (const it of moved) this.bucket(it.transmits).push(it);
    return used;
  }

  private retire(it: Item): void {
    it.live = false;
    if (this.byName.get(it.name) === it) this.byName.delete(it.name);
  }

  private bucket(t: number): Item[] {
    while (this.buckets.length <= t) this.buckets.push([]);
    return this.buckets[t]!;
  }

  private compact(): void {
    for (const b of this.buckets) {
      let w = 0;
      for (const it of b) if (it.live) b[w++] = it;
      b.length = w;
    }
    this.stale = 0;
  }
}

function removeAt<T>(a: T[], i: number): void {
  const last = a.pop()!;
  if (i < a.length) a[i] = last;
}
