/**
 * Outlier ejection (after Envoy): a member whose leases fail `ejectAfterErrors` times in a row is
 * left out of picks for a while, then comes back by itself. The period doubles each time the
 * member is ejected again soon after a return (a flapping member stays out longer) and starts
 * over once it has stayed well for as long as its last ejection lasted. A cap on the share of
 * ejected members keeps a fault on the caller's side from ejecting the whole cluster.
 * Pure functions over a `Slot`; time is the caller's `now`, in ms.
 */
import type { Slot } from './stats.js';

/** Length of the `level`-th ejection in a row (level >= 1), in ms: base × 2^(level-1), capped. */
export function ejectionBackoffMs(level: number, baseMs: number, maxMs: number): number {
  if (level <= 1) return Math.min(baseMs, maxMs);
  // 2 ** 1024 is Infinity, which min() turns into maxMs: no overflow to guard.
  return Math.min(maxMs, baseMs * 2 ** (level - 1));
}

/** Most members that may be ejected at once out of `pickable`, for a cap in percent. */
export function ejectionCap(pickable: number, maxPercent: number): number {
  return Math.floor((pickable * maxPercent) / 100);
}

/** True when the slot's error streak calls for an ejection (the caller still checks the cap). */
export function shouldEject(s: Slot, ejectAfterErrors: number): boolean {
  return ejectAfterErrors > 0 && s.ejectedUntilMs === 0 && s.consecutiveErrors >= ejectAfterErrors;
}

/** Eject the slot at `now` (ms); returns the time it comes back, in ms. */
export function eject(s: Slot, now: number, baseMs: number, maxMs: number): number {
  // A member that stayed well for as long as its last ejection lasted is forgiven.
  if (now - s.returnedAtMs > s.lastEjectionMs) s.ejectionLevel = 0;
  s.ejectionLevel++;
  const ms = ejectionBackoffMs(s.ejectionLevel, baseMs, maxMs);
  s.ejectedUntilMs = now + ms;
  s.lastEjectionMs = ms;
  s.ejections++;
  // It must fail afresh after its return: one error must not send it straight back out.
  s.consecutiveErrors = 0;
  return s.ejectedUntilMs;
}

/** Bring the slot back if its ejection is over at `now` (ms); true when it came back. */
export function releaseIfDue(s: Slot, now: number): boolean {
  if (s.ejectedUntilMs === 0 || s.ejectedUntilMs > now) return false;
  s.returnedAtMs = s.ejectedUntilMs;
  s.ejectedUntilMs = 0;
  return true;
}
