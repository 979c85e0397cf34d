/**
 * Per-member statistics: one mutable `Slot` per known member, updated in place on every pick and
 * every finished lease so that the hot path never allocates. Users see frozen-in-time copies
 * (`MemberStats`) built only when they ask.
 *
 * Peak EWMA (Finagle, Linkerd/tower): a sample above the estimate replaces it at once (so a
 * member that turns slow is avoided after one slow answer); a sample below pulls it down with a
 * weight that grows with the time since the last update (time constant `decayMs`). Reading the
 * cost also decays it toward 0, so a member nobody picks is eventually tried again.
 */
import type { Member, MemberState } from '../core/types.js';
import type { Hot } from './hot.js';

/**
 * V8 keeps a number field as an in-place double only if its first value is not a small integer;
 * a field that starts as 0 and later takes a fraction gets a fresh heap number on every write,
 * the very per-pick allocation the hot path must avoid. So every field that may hold a fraction
 * starts as DOUBLE (-0: a double that still compares === 0) and is then set. See hot.ts.
 */
const DOUBLE = -0;

/** The mutable record behind one member. Internal to the balancer; not exported from the package. */
export class Slot {
  member: Member;
  readonly name: string;
  /** False after `setHealth(name, false)` or while the member's health tag is not `ok`: never picked while false. */
  healthy = true;
  /** Effective weight (hand-set, else the weight tag, else 1); unitless, > 0. */
  weight = DOUBLE;
  /** Smooth weighted round-robin running weight (nginx's `current_weight`). */
  currentWeight = DOUBLE;
  /** False once the member failed or left: leases still in flight finish on a dead slot. */
  present = true;

  /** Leases handed out and not yet done. */
  inFlight = 0;
  /** Leases handed out since the member appeared. */
  picks = 0;
  /** Leases done (ok or not). */
  requests = 0;
  /** Leases done with `ok: false`. */
  errors = 0;
  /** Failed leases since the last success: drives ejection. */
  consecutiveErrors = 0;
  /** Plain EWMA of reported latency, in ms; NaN until the first sample. */
  latencyEwmaMs = Number.NaN;
  /** Peak-EWMA latency estimate, in ms, as of `peakStampMs`. */
  peakEwmaMs = DOUBLE;
  /** Time of the last peak-EWMA update or read, in ms on the caller's clock. */
  peakStampMs = DOUBLE;

  /** Ejected while `now < ejectedUntilMs`; 0 when not ejected. */
  ejectedUntilMs = DOUBLE;
  /** Ejections in a row without a quiet spell in between: the backoff doubles with each. */
  ejectionLevel = 0;
  /** When the member last came back from an ejection, in ms; -Infinity if never ejected. */
  returnedAtMs = Number.NEGATIVE_INFINITY;
  /** Length of the last ejection, in ms. */
  lastEjectionMs = DOUBLE;
  /** Ejections since the member appeared. */
  ejections = 0;

  constructor(member: Member, initialLatencyMs: number, now: number) {
    this.member = member;
    this.name = member.name;
    this.weight = 1;
    this.peakEwmaMs = initialLatencyMs;
    this.peakStampMs = now;
  }
}

/** A member's statistics at one moment, for dashboards and tests. Latencies in ms. */
export interface MemberStats {
  readonly name: string;
  readonly state: MemberState;
  /** False when `setHealth(name, false)` took the member out by hand. */
  readonly healthy: boolean;
  readonly weight: number;
  /** True while an outlier ejection lasts. */
  readonly ejected: boolean;
  /** End of the current ejection in ms on the caller's clock, or undefined. */
  readonly ejectedUntilMs: number | undefined;
  /** How many times the member was ejected since it appeared. */
  readonly ejections: number;
  readonly inFlight: number;
  readonly picks: number;
  readonly requests: number;
  readonly errors: number;
  readonly consecutiveErrors: number;
  /** Plain EWMA of latency; undefined before the first finished lease. */
  readonly latencyEwmaMs: number | undefined;
  /** Peak-EWMA estimate as p2c sees it now (decayed to `now`). */
  readonly peakEwmaMs: number;
  /** p2c cost: peak EWMA × (in-flight + 1). Lower is picked first. */
  readonly cost: number;
}

/** Decay factor of an EWMA with time constant `decayMs` after `elapsedMs`. */
export function decayFactor(elapsedMs: number, decayMs: number): number {
  return elapsedMs <= 0 ? 1 : Math.exp(-elapsedMs / decayMs);
}

/** Fold `hot.latencyMs` into the peak EWMA at `hot.nowMs`. */
export function observePeak(s: Slot, hot: Hot): void {
  const sample = hot.latencyMs;
  const now = hot.nowMs;
  if (sample > s.peakEwmaMs) {
    s.peakEwmaMs = sample;
  } else if (now > s.peakStampMs) {
    const w = Math.exp((s.peakStampMs - now) / hot.decayMs);
    s.peakEwmaMs = s.peakEwmaMs * w + sample * (1 - w);
  }
  // Several samples at the same instant: the first one below the estimate sets the time, and
  // the others, with no time elapsed, carry no weight (tower does the same).
  if (now > s.peakStampMs) s.peakStampMs = now;
}

/** Decay the peak estimate toward 0 up to `hot.nowMs` (as tower does on every load read), so
 * that repeated reads decay from the last one and an avoided member is tried again. */
export function decayPeak(s: Slot, hot: Hot): void {
  const now = hot.nowMs;
  if (now > s.peakStampMs) {
    s.peakEwmaMs *= Math.exp((s.peakStampMs - now) / hot.decayMs);
    s.peakStampMs = now;
  }
}

/** Fold `hot.latencyMs` into the plain EWMA shown by `stats`. */
export function observePlain(s: Slot, hot: Hot): void {
  const sample = hot.latencyMs;
  s.latencyEwmaMs = Number.isNaN(s.latencyEwmaMs) ? sample : s.latencyEwmaMs + hot.alpha * (sample - s.latencyEwmaMs);
}

/** Copy a slot into a user-facing snapshot at time `now` (ms). Allocates: not for the hot path. */
export function snapshot(s: Slot, now: number, decayMs: number): MemberStats {
  const w = decayFactor(now - s.peakStampMs, decayMs);
  const peak = s.peakEwmaMs * w;
  const ejected = s.ejectedUntilMs > now;
  return {
    name: s.name,
    state: s.member.state,
    healthy: s.healthy,
    weight: s.weight,
    ejected,
    ejectedUntilMs: ejected ? s.ejectedUntilMs : undefined,
    ejections: s.ejections,
    inFlight: s.inFlight,
    picks: s.picks,
    requests: s.requests,
    errors: s.errors,
    consecutiveErrors: s.consecutiveErrors,
    latencyEwmaMs: Number.isNaN(s.latencyEwmaMs) ? undefined : s.latencyEwmaMs,
    peakEwmaMs: peak,
    cost: peak * (s.inFlight + 1),
  };
}
