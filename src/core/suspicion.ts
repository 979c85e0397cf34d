/**
 * Suspicions this agent holds, each with its own deadline. When a suspicion's deadline passes
 * and the member is still suspect at the same incarnation, it is declared dead.
 *
 * The timeout of a suspicion is a function of how many distinct members confirmed it, so that
 * Lifeguard's dynamic timeout (start high, fall as independent confirmations arrive) plugs in
 * without changing the callers.
 */
export interface Suspicion {
  readonly incarnation: number;
  readonly startedAt: number;
  /** Distinct accusers seen, the first included. */
  readonly accusers: Set<string>;
  deadline: number;
}

/** Timeout (ms) of a suspicion with `confirmations` independent accusers beyond the first. */
export type SuspicionTimeout = (confirmations: number) => number;

export class Suspicions {
  private readonly map = new Map<string, Suspicion>();
  private earliestCache = Infinity;

  get size(): number {
    return this.map.size;
  }
  get(name: string): Suspicion | undefined {
    return this.map.get(name);
  }

  /** Start (or restart at a new incarnation) a suspicion. Returns its timeout in ms. */
  start(name: string, incarnation: number, accuser: string, now: number, timeout: SuspicionTimeout): number {
    const ms = timeout(0);
    this.map.set(name, { incarnation, startedAt: now, accusers: new Set([accuser]), deadline: now + ms });
    this.earliestCache = Math.min(this.earliestCache, now + ms);
    return ms;
  }

  /**
   * A further accusation at the same incarnation. Returns true when it came from a new accuser
   * (and so may shorten the deadline).
   */
  confirm(name: string, incarnation: number, accuser: string, timeout: SuspicionTimeout): boolean {
    const s = this.map.get(name);
    if (!s || s.incarnation !== incarnation || s.accusers.has(accuser)) return false;
    s.accusers.add(accuser);
    s.deadline = Math.min(s.deadline, s.startedAt + timeout(s.accusers.size - 1));
    this.earliestCache = Math.min(this.earliestCache, s.deadline);
    return true;
  }

  clear(name: string): void {
    this.map.delete(name);
  }

  /** The earliest deadline, or Infinity. */
  earliest(): number {
    return this.earliestCache;
  }

  /** Push every deadline that has passed by `now` to `until`. */
  postponeDue(now: number, until: number): void {
    if (now < this.earliestCache) return;
    for (const s of this.map.values()) if (s.deadline <= now) s.deadline = until;
    this.earliestCache = Math.min(this.earliestCache, until);
    if (this.earliestCache <= now) this.earliestCache = until;
  }

  /** Remove and return the names whose deadline has passed. */
  takeDue(now: number): { name: string; suspicion: Suspicion }[] {
    if (now < this.earliestCache) return [];
    const due: { name: string; suspicion: Suspicion }[] = [];
    let earliest = Infinity;
    for (const [name, s] of this.map) {
      if (s.deadline <= now) due.push({ name, suspicion: s });
      else earliest = Math.min(earliest, s.deadline);
    }
    for (const d of due) this.map.delete(d.name);
    this.earliestCache = earliest;
    return due;
  }
}
