/**
 * Checks of single members outside the round-robin probe (ours, beyond Lifeguard):
 *
 * - Active confirmation: when a member becomes suspect on someone else's word, its designated
 *   checkers (confirmers.ts) probe it at once, directly and through ping-req, staggered by half a
 *   probe interval per rank. A failed check counts as one more independent accusation.
 * - Flap damping: an alive claim of a member we hold dead goes on probation; its checkers probe it
 *   every two probe intervals, a failure declares it dead again at the claimed incarnation, and at
 *   the end each agent looks once more itself before readmitting it.
 *
 * The host (the Swim core) owns the membership table and decides what a result means.
 */
import type { ProtocolConfig } from '../config.js';
import { checkerRank } from './confirmers.js';
import type { MemberRecord } from './membership.js';
import * as M from './messages.js';
import type { Address } from './types.js';

/** confirm: a suspect; probation: a dead member claiming life; readmit: our own last look before readmitting it. */
type Purpose = 'confirm' | 'probation' | 'readmit';

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
  readonly claim: M.Alive;
  readonly readmitAt: number;
  nextCheckAt: number;
  /** Our own last check is under way. */
  finalCheck: boolean;
}

export type VettingCounter = 'checks' | 'checksFailed' | 'probations' | 'readmitted' | 'probationsFailed';

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
  send(to: Address, primary: M.Message, companion?: M.Message): void;
  /** Addresses of up to k alive members, not `target` and not us, to relay a ping. */
  helpers(k: number, target: string): Address[];
  /** A confirm check found the suspect unreachable. */
  confirmFailed(row: MemberRecord, now: number): void;
  /** A member on probation was unreachable: dead again at the incarnation it claimed. */
  probationFailed(name: string, incarnation: number, now: number): void;
  /** A member passed probation: believe its claim. */
  readmit(claim: M.Alive, now: number): void;
  count(counter: VettingCounter): void;
}

export class Vetting {
  private readonly checks = new Map<number, Check>();
  private readonly probation = new Map<string, Probation>();

  constructor(private readonly host: VettingHost) {}

  /** The earliest moment something here is due, or Infinity. */
  earliest(): number {
    let t = Infinity;
    for (const p of this.probation.values()) t = Math.min(t, p.finalCheck ? Infinity : p.readmitAt, p.nextCheckAt);
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

  /** An alive claim of a member we hold dead: start (or renew) its probation. Returns false if we already hold a newer claim. */
  startProbation(claim: M.Alive, now: number): boolean {
    const h = this.host;
    const current = this.probation.get(claim.name);
    if (current && current.claim.inc >= claim.inc) return false;
    const rank = h.canCheck() ? checkerRank(h.name, claim.name, claim.inc, h.liveNames(), h.config.confirmers) : -1;
    const nextCheckAt = rank >= 0 ? now + ((rank + 1) * h.config.probeIntervalMs) / 2 : Infinity;
    this.probation.set(claim.name, { claim, readmitAt: now + h.config.readmitAfterMs, nextCheckAt, finalCheck: false });
    h.count('probations');
    return true;
  }

  /** A dead (at the claimed incarnation or later) or left verdict ends a probation. */
  verdict(name: string, incarnation: number, left: boolean): void {
    const p = this.probation.get(name);
    if (p && (left || incarnation >= p.claim.inc)) this.probation.delete(name);
  }

  /** An ack for one of our checks? */
  acked(seq: number): boolean {
    const c = this.checks.get(seq);
    if (c) c.acked = true;
    return c !== undefined;
  }

  /** We stalled: checks that ran out while we slept tell nothing. */
  dropOverdue(now: number): void {
    for (const [seq, c] of this.checks) if (c.started && now >= c.indirectAt) this.checks.delete(seq);
  }

  advance(now: number, running: boolean): void {
    this.advanceProbation(now, running);
    if (running) this.advanceChecks(now);
  }

  private schedule(target: string, targetAddr: Address, incarnation: number, purpose: Purpose, startAt: number): void {
    this.checks.set(this.host.nextSeq(), { target, targetAddr, incarnation, purpose, startAt, indirectAt: Infinity, endAt: Infinity, started: false, acked: false, indirectSent: false });
  }

  private advanceProbation(now: number, running: boolean): void {
    const h = this.host;
    for (const [name, p] of this.probation) {
      if (now >= p.readmitAt) {
        // A failure our checkers reported may not have reached us: look once more ourselves.
        if (!running || !h.canCheck()) this.readmit(name, now);
        else if (!p.finalCheck) {
          p.finalCheck = true;
          p.nextCheckAt = Infinity;
          this.schedule(name, p.claim.addr, p.claim.inc, 'readmit', now);
        }
        continue;
      }
      if (running && now >= p.nextCheckAt) {
        p.nextCheckAt = now + 2 * h.config.probeIntervalMs;
        this.schedule(name, p.claim.addr, p.claim.inc, 'probation', now);
      }
    }
  }

  private advanceChecks(now: number): void {
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
        h.count('checks');
        const ping = M.ping(seq, c.target, h.name, h.liveCount());
        if (c.purpose === 'confirm' && c0.lifeguardBuddy) h.send(c.targetAddr, ping, M.suspect(c.target, c.incarnation, h.name));
        else h.send(c.targetAddr, ping);
        continue;
      }
      if (!c.acked && !c.indirectSent && now >= c.indirectAt) {
        for (const addr of h.helpers(Math.min(2, c0.indirectChecks), c.target)) h.send(addr, M.pingReq(seq, c.target, c.targetAddr, h.name));
        c.indirectSent = true;
      }
      if (now < c.endAt) continue;
      this.checks.delete(seq);
      if (!c.acked) this.failed(c, now);
      else if (c.purpose === 'readmit') this.readmit(c.target, now);
    }
  }

  private stillWanted(c: Check): boolean {
    if (c.purpose !== 'confirm') return this.probation.get(c.target)?.claim.inc === c.incarnation;
    const row = this.host.member(c.target);
    return row?.state === 'suspect' && row.incarnation === c.incarnation;
  }

  private failed(c: Check, now: number): void {
    const h = this.host;
    h.count('checksFailed');
    if (!this.stillWanted(c)) return;
    if (c.purpose === 'confirm') return h.confirmFailed(h.member(c.target)!, now);
    h.count('probationsFailed');
    this.probation.delete(c.target);
    h.probationFailed(c.target, c.incarnation, now);
  }

  private readmit(name: string, now: number): void {
    const p = this.probation.get(name);
    if (!p) return;
    this.probation.delete(name);
    this.host.count('readmitted');
    this.host.readmit(p.claim, now);
  }
}
