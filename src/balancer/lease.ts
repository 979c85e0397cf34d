/**
 * What a pick hands back: a `Lease` on one member, or a `NoMember` value saying why there is none.
 * Both carry `ok`, so callers branch without try/catch, and neither is allocated per pick: leases
 * come from a free list and go back to it on `done`, and the `NoMember` values are frozen
 * constants. The price of pooling: a lease must not be touched after `done` (it may already
 * serve another pick).
 */
import type { Member } from '../core/types.js';
import type { Hot } from './hot.js';
import type { Slot } from './stats.js';

/** How a leased request went, reported through `lease.done`. */
export interface LeaseResult {
  /** Whether the request succeeded; failures count toward outlier ejection. */
  readonly ok: boolean;
  /** Request latency in ms; when omitted, the time since the pick on the balancer's clock. */
  readonly latencyMs?: number;
}

/** A member picked for one request. Call `done` exactly once when the request ends. */
export interface Lease {
  readonly ok: true;
  /** The member to send the request to (its snapshot at pick time). */
  readonly member: Member;
  /** Report the outcome; feeds in-flight, requests, errors and latency. Later calls are ignored. */
  done(result: LeaseResult): void;
}

/** Why a pick found nobody. */
export type NoMemberReason = 'no-members' | 'none-available' | 'no-owner';

/** A failed pick: no member can take the request now. */
export interface NoMember {
  readonly ok: false;
  readonly reason: NoMemberReason;
  /** One sentence for logs and errors. */
  readonly message: string;
}

/** The result of `pick`: branch on `ok`. */
export type PickResult = Lease | NoMember;

/** No member is known at all (not joined yet, or everyone failed or left). */
export const NO_MEMBERS: NoMember = Object.freeze({
  ok: false,
  reason: 'no-members',
  message: 'no member available: the balancer knows no alive or suspect member',
});

/** Members are known, but all are ejected or taken out with `setHealth(name, false)`. */
export const NONE_AVAILABLE: NoMember = Object.freeze({
  ok: false,
  reason: 'none-available',
  message: 'no member available: every known member is ejected or marked unhealthy',
});

/** Key affinity: none of the key's owners is alive or suspect, healthy and not ejected. */
export const NO_OWNER: NoMember = Object.freeze({
  ok: false,
  reason: 'no-owner',
  message: 'no member available: none of the key owners is up',
});

/** Receives a finished lease; the balancer's statistics update. */
export type FinishFn = (lease: PooledLease, result: LeaseResult) => void;

/** The pooled implementation of `Lease`. Internal to the balancer. */
export class PooledLease implements Lease {
  readonly ok = true as const;
  member!: Member;
  slot!: Slot;
  /** Pick time on the balancer's clock, in ms. Starts as a double (-0) so V8 stores fractional
   * times in place instead of allocating a heap number per pick (see hot.ts). */
  startedAt = -0;
  /** True from pick until done: guards against a second `done`. */
  live = false;

  constructor(private readonly finish: FinishFn) {}

  done(result: LeaseResult): void {
    if (!this.live) return;
    this.live = false;
    this.finish(this, result);
  }
}

/** A free list of leases: grows to the peak number in flight, then never allocates again. */
export class LeasePool {
  private readonly free: PooledLease[] = [];

  constructor(
    private readonly finish: FinishFn,
    /** The time of the pick in progress (see hot.ts). */
    private readonly hot: Hot,
  ) {}

  /** A lease armed for `slot` at `hot.nowMs`. */
  take(slot: Slot): PooledLease {
    const l = this.free.pop() ?? new PooledLease(this.finish);
    l.slot = slot;
    l.member = slot.member;
    l.startedAt = this.hot.nowMs;
    l.live = true;
    return l;
  }

  /** Return a finished lease to the free list. */
  give(l: PooledLease): void {
    this.free.push(l);
  }

  /** Leases waiting in the free list (for tests of the no-allocation claim). */
  get idle(): number {
    return this.free.length;
  }
}
