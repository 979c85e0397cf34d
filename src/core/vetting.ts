/**
 * Checks of single members outside the round-robin probe (ours, beyond Lifeguard):
 *
 * - Active confirmation: when a member becomes suspect on someone else's word, its designated
 *   checkers (confirmers.ts) probe it at once, directly and through ping-req, staggered by half a
 *   probe interval per rank. A failed check counts as one more independent accusation.
 * - Flap damping, as route flap damping does it: each time a member goes down (declared dead, or
 *   held suspect longer than the removal floor and then back) its penalty rises by one, and the
 *   penalty halves every flapHalfLifeMs. An alive claim of the same process life of a member we
 *   hold dead goes on probation for readmitAfterMs × 2^(penalty − 1): short after one outage,
 *   longer with each repeated one. Its checkers (and only they: a constant cost whatever n, where
 *   a last look by every agent would flood the returning member at once) probe it every half
 *   probe interval; one failure declares it dead again at the claimed incarnation. A `dead` from
 *   anyone but a checker during probation is not evidence. Everyone readmits it 1.5 probe
 *   intervals after the probation ends, time for the last check's report to spread.
 * - Parole: while a member's penalty lasts, a suspicion of it ends in a dead verdict only after
 *   1.5 × its last outage (capped): a member that keeps coming back after 20 s is routed around
 *   when suspect (two timescales) but not removed and readmitted every time.
 * - A new process life (its alive claim's `born` is above the incarnation we hold it dead at:
 *   a restart, not the same process coming back) is admitted at once, its history forgotten.
 *
 * Vetting owns its checks, probations, flap histories and counters, and acts on nothing itself:
 * `advance` yields what it wants sent and what it concluded, one at a time, and the host (the
 * Swim core, which owns the membership table and decides what a result means) carries each out
 * before the next is decided (a readmitted member is live for the checks that follow).
 */
import type { ProtocolConfig } from '../config.js';
import { checkerRank } from './confirmers.js';
import type { MemberRecord } from './membership.js';
import * as M from './messages.js';
import { removalFloorMs } from './timing.js';
import type { Outgoing } from './io.js';
import type { Address } from './types.js';

/** confirm: a suspect; verify: a suspect on parole, before our own verdict; probation: a dead member claiming life. */
type Purpose = 'confirm' | 'verify' | 'probation';

interface Check {
  readonly target: string;
  readonly targetAddr: Address;
  readonly incarnation: number;
  readonly purpose: Purpose;
  readonly startAt: number;
  indirectAt: number;
  endAt: number;
  started: boolean;
  acked: boolean;
  indirectSent: boolean;
}

/** A member declared dead that claims to be alive again: readmitted only if it stays healthy. */
interface Probation {
  /** The newest claim: readmission believes it. A newer claim replaces it without a restart. */
  claim: M.Alive;
  /** The incarnation of the first claim: it names the checkers, for the whole probation. */
  readonly checkInc: number;
  readonly startedAt: number;
  /** Checks run until this; readmission follows after READMIT_GRACE_INTERVALS probe intervals. */
  readonly checksUntil: number;
  nextCheckAt: number;
}

/** A member's recent flaps: a decaying penalty (route flap damping) and its last outage. */
interface Flaps {
  penalty: number;
  /** When `penalty` was last brought up to date. */
  at: number;
  /** When it last went down (became suspect, or dead outright), while it is dead. */
  downSince: number | undefined;
  /** How long its last outage lasted (ms): the parole hold is 1.5 × this. */
  outageMs: number;
}

/** After the last check may start, wait this many probe intervals (its end, its report's spread) before readmitting. */
const READMIT_GRACE_INTERVALS = 1.5;
/** Penalty at or above which a member is on parole (and its history kept). */
const PAROLE_PENALTY = 0.5;
/** The longest probation is readmitAfterMs × 2^this. */
const MAX_DOUBLINGS = 8;

export interface VettingCounters {
  /** Active confirmation checks we ran, and how many found the member unreachable. */
  checks: number;
  checksFailed: number;
  /** Alive claims of dead members put on probation, readmitted after it, and cut short by a failure. */
  probations: number;
  readmitted: number;
  probationsFailed: number;
}

/** What vetting wants done, in order. */
export type VettingWant =
  | { readonly type: 'send'; readonly send: Outgoing }
  /** A confirm check found the suspect unreachable: one more independent accuser (us). */
  | { readonly type: 'confirm-failed'; readonly row: MemberRecord }
  /** A member on probation was unreachable: dead again at the incarnation it claimed. */
  | { readonly type: 'probation-failed'; readonly name: string; readonly incarnation: number }
  /** A member passed probation: believe its claim. */
  | { readonly type: 'readmit'; readonly claim: M.Alive };

/** What to do with an alive claim of a member we hold dead. */
export type ClaimVerdict = 'admit' | 'probation' | 'held';

export interface VettingHost {
  readonly name: string;
  readonly config: ProtocolConfig;
  member(name: string): MemberRecord | undefined;
  /** Live member names, ourselves included. */
  liveNames(): Iterable<string>;
  /** Running and healthy (awareness 0): a slow agent's checks would be evidence of nothing. */
  canCheck(): boolean;
  nextSeq(): number;
  liveCount(): number;
  /** Addresses of up to k alive members, not `target` and not us, to relay a ping. */
  helpers(k: number, target: string): Address[];
}

export class Vetting {
  readonly counts: VettingCounters = { checks: 0, checksFailed: 0, probations: 0, readmitted: 0, probationsFailed: 0 };
  private readonly checks = new Map<number, Check>();
  private readonly probation = new Map<string, Probation>();
  private readonly flaps = new Map<string, Flaps>();
  /** Members on parole we looked at before a verdict, at this incarnation. */
  private readonly verified = new Map<string, number>();
  /** Prune the flap histories when there are this many: amortized, whatever the churn. */
  private pruneAt = 64;

  constructor(private readonly host: VettingHost) {}

  /** The earliest moment something here is due, or Infinity. */
  earliest(): number {
    let t = Infinity;
    for (const p of this.probation.values()) t = Math.min(t, this.readmitAt(p), p.nextCheckAt < p.checksUntil ? p.nextCheckAt : Infinity);
    for (const c of this.checks.values()) t = Math.min(t, !c.started ? c.startAt : c.acked || c.indirectSent ? c.endAt : c.indirectAt);
    return t;
  }

  /** A suspicion started on `accuser`'s word: check the suspect if we are one of its checkers. */
  suspicionStarted(name: string, incarnation: number, accuser: string, now: number): void {
    const h = this.host;
    if (!h.config.activeConfirmation || accuser === h.name || !h.canCheck()) return;
    const rank = checkerRank(h.name, name, incarnation, h.liveNames(), h.config.confirmers);
    const row = h.member(name);
    // Staggered, so that one short stall of the suspect does not fail every check at once.
    if (rank >= 0 && row) this.schedule(name, row.address, incarnation, 'confirm', now + (rank * h.config.probeIntervalMs) / 2);
  }

  // ---- flap history --------------------------------------------------------------------------

  /** A live member was declared dead here; `since`: when it went down (its suspicion began). */
  wentDown(name: string, since: number, now: number): void {
    const f = this.flapsOf(name, now);
    f.penalty += 1;
    f.downSince = since;
    this.verified.delete(name);
    this.prune(now);
  }

  /** A suspect refuted: if it was away longer than the removal floor, that was an outage too. */
  cameBack(name: string, suspectSince: number, now: number): void {
    const c = this.host.config;
    const away = now - suspectSince;
    this.verified.delete(name);
    if (!c.flapDamping || away <= removalFloorMs(c.suspicionMult, c.probeIntervalMs)) return;
    const f = this.flapsOf(name, now);
    f.penalty += 1;
    f.outageMs = away;
  }

  /** How long a suspicion of `name` must last before a dead verdict (ms), or 0 for no hold. */
  holdMs(name: string, now?: number): number {
    const f = this.flaps.get(name);
    const c = this.host.config;
    if (!f || !c.flapDamping || f.outageMs <= 0) return 0;
    if (now !== undefined) this.decay(f, now);
    if (f.penalty < PAROLE_PENALTY) return 0;
    const cap = Math.floor(c.suspicionMaxTimeoutMult * removalFloorMs(c.suspicionMult, c.probeIntervalMs));
    return Math.min(cap, Math.floor(1.5 * f.outageMs));
  }

  /**
   * Our suspicion of a member on parole, or one nobody independent confirmed (`unconfirmed`: no
   * checker's failed probe reached us), ran out: before the verdict, look at it once ourselves
   * (with the suspicion attached, so a live member refutes). Its refutation may have missed us:
   * gossip reaches everyone only with high probability, and at 256 members and hundreds of
   * refutations an hour one agent misses one now and then (Rapid's flip-flop, issue 18); a long
   * hold multiplies the chances. A real death has its checkers' confirmations, and no delay.
   * Returns true when a check was scheduled and the verdict should wait one probe interval.
   */
  verifyBeforeVerdict(row: MemberRecord, now: number, unconfirmed = false): boolean {
    const h = this.host;
    if (!h.config.activeConfirmation || this.verified.get(row.name) === row.incarnation || (!unconfirmed && this.holdMs(row.name, now) === 0) || !h.canCheck())
      return false;
    this.verified.set(row.name, row.incarnation);
    this.schedule(row.name, row.address, row.incarnation, 'verify', now);
    return true;
  }

  /** A new process life under this name: nothing it did before counts against it. */
  forget(name: string): void {
    this.flaps.delete(name);
    this.probation.delete(name);
    this.verified.delete(name);
  }

  // ---- probation -----------------------------------------------------------------------------

  /**
   * An alive claim (newer than our verdict) of a member we hold dead at `deadInc`. 'admit': a
   * new process life, believe it now; 'probation': held, and relay it so everyone holds it;
   * 'held': a claim we already hold or older.
   */
  claim(claim: M.Alive, deadInc: number, now: number): ClaimVerdict {
    const h = this.host;
    if (claim.born !== undefined && claim.born > deadInc) {
      this.forget(claim.name);
      return 'admit';
    }
    const current = this.probation.get(claim.name);
    if (current) {
      if (current.claim.inc >= claim.inc) return 'held';
      // A newer claim (new tags, a refutation) is the same member still proving itself: keep the
      // probation's clock, or a member whose tags change often would never be readmitted.
      current.claim = claim;
      return 'probation';
    }
    const rank = h.canCheck() ? checkerRank(h.name, claim.name, claim.inc, h.liveNames(), h.config.confirmers) : -1;
    const nextCheckAt = rank >= 0 ? now + ((rank + 1) * h.config.probeIntervalMs) / 4 : Infinity;
    const length = this.probationMs(claim.name, now);
    this.probation.set(claim.name, { claim, checkInc: claim.inc, startedAt: now, checksUntil: now + length, nextCheckAt });
    this.counts.probations++;
    return 'probation';
  }

  /** readmitAfterMs × 2^(penalty − 1): one outage costs the base, each recent one doubles it. */
  private probationMs(name: string, now: number): number {
    const f = this.flaps.get(name);
    if (f) this.decay(f, now);
    const doublings = Math.min(MAX_DOUBLINGS, Math.max(0, (f?.penalty ?? 1) - 1));
    return Math.floor(this.host.config.readmitAfterMs * 2 ** doublings);
  }

  /**
   * A dead or left verdict on `name` at `incarnation`. Returns false when it must be ignored: a
   * `dead` during probation counts only as a failure report of one of the member's checkers, and
   * decides only with enough of them. A `left` always ends a probation.
   */
  verdict(name: string, incarnation: number, left: boolean, from: string | undefined, now: number): boolean {
    const p = this.probation.get(name);
    if (!p) return true;
    if (left) {
      this.probation.delete(name);
      return true;
    }
    if (incarnation < p.checkInc) return true;
    if (from === undefined || !this.isChecker(from, name, p)) return false;
    this.fail(name, now);
    return true;
  }

  /**
   * An ack for one of our checks? Undefined when not. `resync`: the address of a member on
   * parole that answers, while we still hold the suspicion its refutation should have ended:
   * we missed the refutation, so exchange state with it.
   */
  acked(seq: number): { readonly resync: Address | undefined } | undefined {
    const c = this.checks.get(seq);
    if (!c) return undefined;
    const resync = !c.acked && c.purpose === 'verify' ? c.targetAddr : undefined;
    c.acked = true;
    return { resync };
  }

  /** We stalled: checks that ran out while we slept tell nothing. */
  dropOverdue(now: number): void {
    for (const [seq, c] of this.checks) if (c.started && now >= c.indirectAt) this.checks.delete(seq);
  }

  /** What is due by `now`, yielded one at a time: carry each out before asking for the next. */
  *advance(now: number, running: boolean): Generator<VettingWant, void, undefined> {
    yield* this.advanceProbation(now, running);
    if (running) yield* this.advanceChecks(now);
  }

  private isChecker(name: string, subject: string, p: Probation): boolean {
    return checkerRank(name, subject, p.checkInc, this.host.liveNames(), this.host.config.confirmers) >= 0;
  }

  private schedule(target: string, targetAddr: Address, incarnation: number, purpose: Purpose, startAt: number): void {
    this.checks.set(this.host.nextSeq(), {
      target,
      targetAddr,
      incarnation,
      purpose,
      startAt,
      indirectAt: Infinity,
      endAt: Infinity,
      started: false,
      acked: false,
      indirectSent: false,
    });
  }

  private readmitAt(p: Probation): number {
    return p.checksUntil + READMIT_GRACE_INTERVALS * this.host.config.probeIntervalMs;
  }

  private *advanceProbation(now: number, running: boolean): Generator<VettingWant, void, undefined> {
    const h = this.host;
    for (const [name, p] of this.probation) {
      if (now >= this.readmitAt(p)) {
        yield* this.readmit(name, now);
        continue;
      }
      if (running && now >= p.nextCheckAt && now < p.checksUntil) {
        p.nextCheckAt = now + h.config.probeIntervalMs / 2;
        this.schedule(name, p.claim.addr, p.checkInc, 'probation', now);
      }
    }
  }

  private *advanceChecks(now: number): Generator<VettingWant, void, undefined> {
    const h = this.host;
    const c0 = h.config;
    for (const [seq, c] of this.checks) {
      if (!c.started) {
        if (now < c.startAt) continue;
        if (!this.stillWanted(c)) {
          this.checks.delete(seq);
          continue;
        }
        c.started = true;
        c.indirectAt = now + c0.probeTimeoutMs;
        c.endAt = now + c0.probeIntervalMs;
        this.counts.checks++;
        const ping = M.ping(seq, c.target, h.name, h.liveCount());
        const buddy = c.purpose !== 'probation' && c0.lifeguardBuddy ? M.suspect(c.target, c.incarnation, h.name) : undefined;
        yield { type: 'send', send: { to: c.targetAddr, primary: ping, companion: buddy } };
        continue;
      }
      if (!c.acked && !c.indirectSent && now >= c.indirectAt) {
        for (const addr of h.helpers(Math.min(2, c0.indirectChecks), c.target))
          yield { type: 'send', send: { to: addr, primary: M.pingReq(seq, c.target, c.targetAddr, h.name) } };
        c.indirectSent = true;
      }
      if (now < c.endAt) continue;
      this.checks.delete(seq);
      if (!c.acked) {
        const want = this.failed(c, now);
        if (want) yield want;
      }
    }
  }

  private stillWanted(c: Check): boolean {
    if (c.purpose === 'probation') return this.probation.get(c.target)?.checkInc === c.incarnation;
    const row = this.host.member(c.target);
    return row?.state === 'suspect' && row.incarnation === c.incarnation;
  }

  private failed(c: Check, now: number): VettingWant | undefined {
    this.counts.checksFailed++;
    if (!this.stillWanted(c)) return undefined;
    if (c.purpose === 'confirm') return { type: 'confirm-failed', row: this.host.member(c.target)! };
    if (c.purpose === 'verify') return undefined;
    const p = this.probation.get(c.target)!;
    this.fail(c.target, now);
    return { type: 'probation-failed', name: c.target, incarnation: p.claim.inc };
  }

  /** The probation failed: dead again (announced by the caller, when it was our finding). */
  private fail(name: string, now: number): void {
    this.counts.probationsFailed++;
    this.probation.delete(name);
    const f = this.flapsOf(name, now);
    f.penalty += 1;
  }

  private *readmit(name: string, now: number): Generator<VettingWant, void, undefined> {
    const p = this.probation.get(name);
    if (!p) return;
    this.probation.delete(name);
    const f = this.flaps.get(name);
    if (f?.downSince !== undefined) {
      f.outageMs = Math.max(0, p.startedAt - f.downSince);
      f.downSince = undefined;
    }
    this.counts.readmitted++;
    yield { type: 'readmit', claim: p.claim };
    this.prune(now);
  }

  private flapsOf(name: string, now: number): Flaps {
    let f = this.flaps.get(name);
    if (!f) this.flaps.set(name, (f = { penalty: 0, at: now, downSince: undefined, outageMs: 0 }));
    else this.decay(f, now);
    return f;
  }

  private decay(f: Flaps, now: number): void {
    const halfLife = this.host.config.flapHalfLifeMs;
    if (now > f.at && halfLife > 0) f.penalty *= 2 ** (-(now - f.at) / halfLife);
    f.at = Math.max(f.at, now);
  }

  /** Forget histories that decayed away (of members back in service) or whose member is gone. */
  private prune(now: number): void {
    if (this.flaps.size < this.pruneAt) return;
    for (const [name, f] of this.flaps) {
      this.decay(f, now);
      const row = this.host.member(name);
      if (!row || (f.penalty < PAROLE_PENALTY / 8 && row.state !== 'dead')) {
        this.flaps.delete(name);
        this.verified.delete(name);
      }
    }
    this.pruneAt = Math.max(64, 2 * this.flaps.size);
  }
}
