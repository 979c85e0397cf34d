/**
 * The measures of docs/ARCHITECTURE.md computed from each agent's timed log lines after the fact: the
 * harness only records lines as they arrive, and these pure functions replay them.
 */
import type { LogEvent, MemberStatus } from './logs.js';

/** A parsed log line and when it was read (ms). Same shape as procs.ts `Timed`. */
export interface TimedEvent {
  at: number;
  ev: LogEvent;
}

/**
 * Replay one agent's lines and return the first time its view had every name in `names`
 * (other than `self`) at `status`, or null if it never did. Only lines at or after `fromMs`
 * can complete the view, but earlier lines still build it up.
 */
export function firstTimeAll(events: readonly TimedEvent[], self: string, names: readonly string[], status: MemberStatus, fromMs = 0): number | null {
  const want = names.filter((n) => n !== self);
  const view = new Map<string, MemberStatus>();
  let missing = want.length;
  const wanted = new Set(want);
  if (missing === 0) return fromMs;
  for (const { at, ev } of events) {
    if (ev.kind !== 'member' || !wanted.has(ev.member)) continue;
    const was = view.get(ev.member) === status;
    view.set(ev.member, ev.status);
    const is = ev.status === status;
    if (was !== is) missing += is ? -1 : 1;
    if (missing === 0 && at >= fromMs) return at;
  }
  return null;
}

/** First time at or after `fromMs` that a line matched `pred`, or null. */
export function firstAt(events: readonly TimedEvent[], pred: (ev: LogEvent) => boolean, fromMs = 0): number | null {
  for (const { at, ev } of events) if (at >= fromMs && pred(ev)) return at;
  return null;
}

/** Median of a non-empty list (the mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Arithmetic mean; NaN when empty. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Times (ms after `t0`) at which each of `total` agents came to know of an event, sorted; agents
 * that never did are left out, so the curve ends below 1. This is the convergence curve.
 */
export function curve(times: readonly (number | null)[], t0: number): number[] {
  return times
    .filter((t): t is number => t !== null)
    .map((t) => t - t0)
    .sort((a, b) => a - b);
}

/**
 * False positives under loss: the live members that at least one other live agent marked
 * failed at or after `fromMs`. Also the (observer, member) pairs, which show how far each
 * false failure spread.
 */
export function falsePositives(
  agents: readonly { name: string; events: readonly TimedEvent[] }[],
  live: ReadonlySet<string>,
  fromMs: number,
): { members: string[]; pairs: number } {
  const members = new Set<string>();
  let pairs = 0;
  for (const a of agents) {
    for (const { at, ev } of a.events) {
      if (at < fromMs || ev.kind !== 'member' || ev.status !== 'failed' || ev.member === a.name || !live.has(ev.member)) continue;
      members.add(ev.member);
      pairs++;
    }
  }
  return { members: [...members].sort(), pairs };
}
