/**
 * The prober: SWIM's failure detector as this agent runs it. One probe a period (a ping, then
 * ping-reqs through `indirectChecks` helpers after the probe timeout), the relays we run for
 * others' ping-reqs, and Lifeguard's nacks both ways.
 *
 * It owns its state and counters and sends nothing itself: each call returns what it wants sent
 * (with piggybacked news, by the coordinator) and what it concluded (a failed or acked probe);
 * what a conclusion means for the membership and for our own health is the coordinator's.
 */
import type { ProtocolConfig } from '../config.js';
import type { Outgoing } from './io.js';
import type { MemberRecord } from './membership.js';
import * as M from './messages.js';
import type { Address } from './types.js';

/** A probe that ended without an ack: whom, how many helpers we asked, how many said nack. */
export interface ProbeFailure {
  readonly target: string;
  readonly indirect: number;
  readonly nacks: number;
}

/**
 * An ack of our probe: `direct` when the target itself answered (not through a helper);
 * `retried` when the ping had been re-sent, so the round trip is unclear (Karn's rule).
 */
export interface ProbeAck {
  readonly target: string;
  readonly rttMs: number;
  readonly direct: boolean;
  readonly retried: boolean;
}

export interface ProberCounters {
  probes: number;
  nacksSent: number;
  nacksReceived: number;
}

export interface ProberHost {
  readonly name: string;
  readonly config: ProtocolConfig;
  /** Sequence numbers are shared with the other checks (vetting.ts): acks are told apart by them. */
  nextSeq(): number;
  /** A timeout stretched by our own ill health (Lifeguard awareness). */
  scale(ms: number): number;
  liveCount(): number;
  /** Addresses of up to k alive members, not `target` and not us, to relay a ping. */
  helpers(k: number, target: string): Address[];
}

interface Probe {
  readonly seq: number;
  readonly target: string;
  readonly targetAddr: Address;
  /** When the ping went out: the round-trip time is measured from here. */
  readonly sentAt: number;
  readonly indirectAt: number;
  readonly endAt: number;
  acked: boolean;
  indirectSent: number;
  nacks: number;
  /** The incarnation the target was suspect at when the probe began (buddy system), if it was. */
  readonly suspectInc: number | undefined;
  /** Direct pings re-sent after the first went unanswered (probeRetries). */
  retries: number;
  /** When the next direct retry is due, or Infinity. */
  retryAt: number;
}

interface Relay {
  readonly requester: Address;
  readonly requesterSeq: number;
  readonly expiresAt: number;
  /** When to tell the requester we could not reach the target either (Infinity: never / done). */
  nackAt: number;
}

/** Relays we keep before sweeping the expired ones. */
const MAX_RELAYS = 1024;

export class Prober {
  readonly counts: ProberCounters = { probes: 0, nacksSent: 0, nacksReceived: 0 };
  private probe: Probe | undefined;
  private nextProbeAt: number;
  private readonly relays = new Map<number, Relay>();
  /** No relay's nack is due before this (may be early after an ack: then one spare wake-up). */
  private relayNackAt = Infinity;

  /** `firstProbeAt`: a random phase, so that agents started together do not probe in lockstep. */
  constructor(
    private readonly host: ProberHost,
    firstProbeAt: number,
  ) {
    this.nextProbeAt = firstProbeAt;
  }

  /** When our own probing next needs a tick (it runs only while we run). */
  probeDeadline(): number {
    const p = this.probe;
    return Math.min(this.nextProbeAt, p === undefined ? Infinity : p.acked ? p.endAt : p.indirectSent ? Math.min(p.endAt, p.retryAt) : p.indirectAt);
  }

  /** When a relay's nack is next due (relays are answered while leaving too). */
  relayDeadline(): number {
    return this.relayNackAt;
  }

  /** The running probe's due work: ping-reqs once the probe timeout passed, and its end. */
  advance(now: number): { readonly send: Outgoing[]; readonly failed: ProbeFailure | undefined } {
    const p = this.probe;
    const send: Outgoing[] = [];
    if (p && !p.acked && !p.indirectSent && now >= p.indirectAt) {
      const helpers = this.host.helpers(this.host.config.indirectChecks, p.target);
      for (const addr of helpers) send.push({ to: addr, primary: M.pingReq(p.seq, p.target, p.targetAddr, this.host.name) });
      p.indirectSent = Math.max(1, helpers.length);
      if (this.host.config.probeRetries > 0) send.push(this.retry(p, now));
    } else if (p && !p.acked && now >= p.retryAt && now < p.endAt) send.push(this.retry(p, now));
    let failed: ProbeFailure | undefined;
    if (p && now >= p.endAt) {
      this.probe = undefined;
      if (!p.acked) failed = { target: p.target, indirect: p.indirectSent, nacks: p.nacks };
    }
    return { send, failed };
  }

  /**
   * Has a new probe period begun? Then the next one begins a (health-stretched) probe interval
   * from now. Returns true when a probe should start: none is still running.
   */
  periodBegins(now: number): boolean {
    if (now < this.nextProbeAt) return false;
    this.nextProbeAt = now + this.host.scale(this.host.config.probeIntervalMs);
    return this.probe === undefined;
  }

  /** Probe `target` now; `companion` rides with the ping unless the buddy system has a word for it. */
  start(target: MemberRecord, now: number, companion: M.Message | undefined): Outgoing {
    const h = this.host;
    const seq = h.nextSeq();
    this.counts.probes++;
    this.probe = {
      seq,
      target: target.name,
      targetAddr: target.address,
      sentAt: now,
      indirectAt: now + h.scale(h.config.probeTimeoutMs),
      endAt: now + h.scale(h.config.probeIntervalMs),
      acked: false,
      indirectSent: 0,
      nacks: 0,
      suspectInc: target.state === 'suspect' && h.config.lifeguardBuddy ? target.incarnation : undefined,
      retries: 0,
      retryAt: Infinity,
    };
    const ping = M.ping(seq, target.name, h.name, h.liveCount());
    // Buddy system (Lifeguard): tell a suspect it is suspected in the very packet that probes it.
    if (this.probe.suspectInc !== undefined) return { to: target.address, primary: ping, companion: M.suspect(target.name, this.probe.suspectInc, h.name) };
    return { to: target.address, primary: ping, companion };
  }

  /**
   * Ping the target directly once more, with the same seq: with the ping-reqs, then halfway to
   * the probe's end (probeRetries). Under random loss one direct ping and its ack both arrive
   * only (1 - loss)² of the time, and every failed probe is a suspicion the whole cluster gossips
   * and the member must refute; a retry costs a datagram, and only when an ack is late.
   */
  private retry(p: Probe, now: number): Outgoing {
    const h = this.host;
    p.retries++;
    p.retryAt = p.retries < h.config.probeRetries ? now + (p.endAt - now) / 2 : Infinity;
    const ping = M.ping(p.seq, p.target, h.name, h.liveCount());
    return p.suspectInc !== undefined
      ? { to: p.targetAddr, primary: ping, companion: M.suspect(p.target, p.suspectInc, h.name) }
      : { to: p.targetAddr, primary: ping };
  }

  /** Forget the running probe (we are leaving, or stalled past its timeout: it tells nothing). */
  dropProbe(): void {
    this.probe = undefined;
  }

  /**
   * An ack. For a relay of ours: the ack to pass to its requester (undefined when too late).
   * For our probe: what it tells. Undefined when the seq is neither (another check's, or old).
   */
  onAck(m: M.Ack, from: Address, now: number): { readonly relayed: Outgoing | undefined } | { readonly probe: ProbeAck } | undefined {
    const relay = this.relays.get(m.seq);
    if (relay) {
      this.relays.delete(m.seq);
      return { relayed: now <= relay.expiresAt ? { to: relay.requester, primary: M.ack(relay.requesterSeq, m.from, m.known) } : undefined };
    }
    const p = this.probe;
    if (!p || p.seq !== m.seq || p.acked) return undefined;
    p.acked = true;
    return { probe: { target: p.target, rttMs: now - p.sentAt, direct: from === p.targetAddr, retried: p.retries > 0 } };
  }

  /** A helper could not reach our target either: the path from us is fine (Lifeguard). */
  onNack(m: M.Nack): void {
    if (!this.probe || this.probe.seq !== m.seq) return;
    this.probe.nacks++;
    this.counts.nacksReceived++;
  }

  /**
   * Ping `target` (a member we hold, at the address we hold it at: the coordinator checked) on
   * behalf of the requester at `from`, and arrange to nack it if the target stays silent.
   */
  relay(m: M.PingReq, from: Address, now: number): Outgoing {
    const h = this.host;
    const c = h.config;
    const seq = h.nextSeq();
    if (this.relays.size > MAX_RELAYS) this.sweepRelays(now);
    // The nack must reach the requester before its probe period ends: leave room for the trip.
    const nackAfter = Math.floor(0.8 * Math.min(c.probeTimeoutMs, c.probeIntervalMs - c.probeTimeoutMs));
    const nackAt = c.lifeguardNack ? now + nackAfter : Infinity;
    this.relays.set(seq, { requester: from, requesterSeq: m.seq, expiresAt: now + c.probeIntervalMs, nackAt });
    this.relayNackAt = Math.min(this.relayNackAt, nackAt);
    return { to: m.targetAddr, primary: M.ping(seq, m.target, h.name, h.liveCount()) };
  }

  /** Nacks now due to requesters whose target did not answer us. */
  nacksDue(now: number): Outgoing[] {
    if (now < this.relayNackAt) return [];
    const send: Outgoing[] = [];
    let next = Infinity;
    for (const [seq, r] of this.relays) {
      if (r.expiresAt < now) {
        this.relays.delete(seq);
        continue;
      }
      if (r.nackAt > now) {
        next = Math.min(next, r.nackAt);
        continue;
      }
      r.nackAt = Infinity;
      this.counts.nacksSent++;
      send.push({ to: r.requester, primary: M.nack(r.requesterSeq, this.host.name) });
    }
    this.relayNackAt = next;
    return send;
  }

  /**
   * We stalled until `now`: nothing that ran out meanwhile is evidence yet (the acks that would
   * have saved it may be queued behind this input). Nacks wait `graceMs`; a probe whose timeout
   * passed while we slept is dropped.
   */
  afterStall(now: number, graceMs: number): void {
    for (const r of this.relays.values()) if (r.nackAt <= now) r.nackAt = now + graceMs;
    if (this.relayNackAt <= now) this.relayNackAt = now + graceMs;
    if (this.probe && now >= this.probe.indirectAt) this.probe = undefined;
  }

  private sweepRelays(now: number): void {
    for (const [seq, r] of this.relays) if (r.expiresAt < now) this.relays.delete(seq);
  }
}
