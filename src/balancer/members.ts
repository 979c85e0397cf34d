/**
 * The balancer's view of membership: one `Slot` per alive or suspect member, hand-set health and
 * weights, and the cached `active` list that strategies choose from. A member is healthy unless
 * set unhealthy by hand or its health tag (config `healthTag`) says anything but `ok`.
 *
 * Tiers: `active` holds the alive, healthy, not-ejected members; only when there are none does
 * it hold the suspect ones instead (a suspect member may well be up, and is better than nothing).
 * Dead and left members are dropped with their statistics. The list is rebuilt in place (same
 * array, no allocation once it has grown) only when something changed or an ejection ran out.
 */
import { isLive, type Member } from '../core/types.js';
import type { BalancerConfig } from './config.js';
import { eject, ejectionCap, releaseIfDue } from './ejection.js';
import type { Hot } from './hot.js';
import { Slot } from './stats.js';

/** Which members `active` holds: alive ones, suspect ones as a last resort, or none. */
export type Tier = 'alive' | 'suspect' | 'none';

/** Parse a weight tag; remote input never throws, so a missing or bad value gives 1. */
export function parseWeight(tag: string | undefined): number {
  if (tag === undefined) return 1;
  const w = Number(tag);
  return Number.isFinite(w) && w > 0 ? w : 1;
}

/** Member slots, hand-set overrides and the cached pickable list. */
export class MemberTable {
  /** Present slots by name. */
  private readonly byName = new Map<string, Slot>();
  /** Present slots in arrival order (the order round-robin walks). */
  private readonly all: Slot[] = [];
  /** The members strategies choose from; see the file comment for the tiers. */
  readonly active: Slot[] = [];
  /** Names taken out by `setHealth(name, false)`; kept across leave and rejoin. */
  private readonly unhealthy = new Set<string>();
  /** Weights set by hand; they win over the weight tag. */
  private readonly weights = new Map<string, number>();
  private dirty = true;
  /** Earliest end of a running ejection, in ms; Infinity when none runs. */
  private nextReturnMs = Number.POSITIVE_INFINITY;
  private tierNow: Tier = 'none';
  /** Alive or suspect, healthy members: the base of the ejection cap. */
  private eligible = 0;
  private ejectedNow = 0;

  constructor(
    private readonly config: Readonly<BalancerConfig>,
    /** The time of the call in progress (`hot.nowMs`); see hot.ts for why it is not an argument. */
    private readonly hot: Hot,
  ) {}

  /** Members known (alive or suspect), pickable or not. */
  get size(): number {
    return this.all.length;
  }

  /** The tier `active` holds after the last refresh. */
  get tier(): Tier {
    return this.tierNow;
  }

  /** The present slot of a member, if any. */
  get(name: string): Slot | undefined {
    return this.byName.get(name);
  }

  /** Every present slot, in arrival order. */
  slots(): readonly Slot[] {
    return this.all;
  }

  /** Take in a member snapshot at `hot.nowMs`: add, update or (dead, left) drop it. */
  upsert(member: Member): void {
    if (!isLive(member.state)) {
      this.remove(member.name);
      return;
    }
    let s = this.byName.get(member.name);
    if (s === undefined) {
      s = new Slot(member, this.config.initialLatencyMs, this.hot.nowMs);
      this.byName.set(member.name, s);
      this.all.push(s);
    }
    s.member = member;
    s.healthy = this.isHealthy(member);
    s.weight = this.weights.get(member.name) ?? parseWeight(member.tags[this.config.weightTag]);
    this.dirty = true;
  }

  /** Drop a member and its statistics; leases in flight finish on the orphaned slot. */
  remove(name: string): void {
    const s = this.byName.get(name);
    if (s === undefined) return;
    s.present = false;
    this.byName.delete(name);
    const i = this.all.indexOf(s);
    if (i >= 0) this.all.splice(i, 1);
    this.dirty = true;
  }

  /** Override health by hand: false keeps the member out of every pick until set true again. */
  setHealth(name: string, healthy: boolean): void {
    if (healthy) this.unhealthy.delete(name);
    else this.unhealthy.add(name);
    const s = this.byName.get(name);
    if (s !== undefined) s.healthy = this.isHealthy(s.member);
    this.dirty = true;
  }

  /** Not set unhealthy by hand, and its health tag absent or `ok` (remote input: any other value, even garbage, means no). */
  private isHealthy(member: Member): boolean {
    if (this.unhealthy.has(member.name)) return false;
    const tag = member.tags[this.config.healthTag];
    return tag === undefined || tag === 'ok';
  }

  /** Set a weight by hand (> 0), or undefined to go back to the weight tag. */
  setWeight(name: string, weight: number | undefined): void {
    if (weight === undefined) this.weights.delete(name);
    else this.weights.set(name, weight);
    const s = this.byName.get(name);
    if (s !== undefined) s.weight = weight ?? parseWeight(s.member.tags[this.config.weightTag]);
  }

  /** Bring `active` up to date at `hot.nowMs`. Cheap when nothing changed: two comparisons. */
  refresh(): void {
    if (this.dirty || this.hot.nowMs >= this.nextReturnMs) this.rebuild();
  }

  /**
   * Eject a slot at `hot.nowMs` unless the cap forbids it. Returns true when ejected; when the
   * cap forbids, the error streak stays and the next failure asks again.
   */
  tryEject(s: Slot): boolean {
    this.refresh();
    if (!s.present || this.ejectedNow + 1 > ejectionCap(this.eligible, this.config.maxEjectionPercent)) {
      return false;
    }
    const until = eject(s, this.hot.nowMs, this.config.baseEjectionMs, this.config.maxEjectionMs);
    this.ejectedNow++;
    if (until < this.nextReturnMs) this.nextReturnMs = until;
    this.dirty = true;
    return true;
  }

  private rebuild(): void {
    const now = this.hot.nowMs;
    const active = this.active;
    active.length = 0;
    let eligible = 0;
    let ejected = 0;
    let nextReturn = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.all.length; i++) {
      const s = this.all[i]!;
      releaseIfDue(s, now);
      if (!s.healthy) continue;
      eligible++;
      if (s.ejectedUntilMs !== 0) {
        ejected++;
        if (s.ejectedUntilMs < nextReturn) nextReturn = s.ejectedUntilMs;
        continue;
      }
      if (s.member.state === 'alive') active.push(s);
    }
    this.tierNow = 'alive';
    if (active.length === 0) {
      for (let i = 0; i < this.all.length; i++) {
        const s = this.all[i]!;
        if (s.healthy && s.ejectedUntilMs === 0 && s.member.state === 'suspect') active.push(s);
      }
      this.tierNow = active.length === 0 ? 'none' : 'suspect';
    }
    this.eligible = eligible;
    this.ejectedNow = ejected;
    this.nextReturnMs = nextReturn;
    this.dirty = false;
  }
}
