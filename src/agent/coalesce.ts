/**
 * Coalescing of user events by name: of a burst of events sent with `coalesce`, listeners hear
 * only the latest (highest Lamport time), `periodMs` after the first of the burst arrived (a
 * steady stream still gets through, once per period).
 * Events sent without `coalesce` pass at once. As Serf's coalesced user events, for handlers that
 * only need "the latest deploy", not every one.
 */
import type { UserEventData } from '../core/io.js';

export interface CoalesceTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: CoalesceTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class EventCoalescer {
  private readonly held = new Map<string, { event: UserEventData; timer: unknown }>();

  constructor(
    private readonly periodMs: number,
    private readonly deliver: (e: UserEventData) => void,
    private readonly timers: CoalesceTimers = realTimers,
  ) {}

  push(e: UserEventData): void {
    if (!e.coalesce || this.periodMs <= 0) return this.deliver(e);
    const held = this.held.get(e.name);
    if (held) {
      if (e.ltime > held.event.ltime) held.event = e;
      return;
    }
    const timer = this.timers.set(() => this.release(e.name), this.periodMs);
    this.held.set(e.name, { event: e, timer });
  }

  /** Deliver everything held now (at shutdown, so nothing is lost). */
  flush(): void {
    for (const name of [...this.held.keys()]) this.release(name);
  }

  private release(name: string): void {
    const held = this.held.get(name);
    if (!held) return;
    this.held.delete(name);
    this.timers.clear(held.timer);
    this.deliver(held.event);
  }
}
