/**
 * The one observer: every driver event, note and packet becomes a pino line and a counter here,
 * and nowhere else. Protocol code never logs.
 *
 * Log contract (other tools follow a cluster from it):
 * - every change of this agent's view of a member: ONE line at info, message `member <status>`,
 *   with fields `member`, `status` (alive | suspect | failed | left), `incarnation`, `event`
 *   (join | update | suspect | alive | failed | left), `address`;
 * - accusations and refutations at info/debug; protocol chatter (push-pull, join retries) at
 *   debug; each packet in or out at trace only; drops at debug (they are counted anyway).
 */
import type { Note } from '../core/io.js';
import { MsgType, type Message } from '../core/messages.js';
import type { Address, MemberEvent, MemberEventType } from '../core/types.js';
import type { Codec } from '../wire/codec.js';
import { Histogram, LOOP_DELAY_BOUNDS_S, PROBE_RTT_BOUNDS_S } from './histogram.js';
import { statusOf } from './history.js';
import type { Logger } from './log.js';

/** pino's level numbers: a line below the logger's level is not built at all. */
const DEBUG = 20;
const INFO = 30;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MsgType).map(([k, v]) => [v, k.replace(/^./, (c) => c.toLowerCase())]));
/** Message type numbers are small: counts by type live in an array indexed by type, named when read. */
const TYPE_SLOTS = Math.max(...Object.values(MsgType)) + 1;
const TYPES = Object.entries(TYPE_NAMES).map(([k, name]) => [Number(k), name] as const);

/** Counts by type as /metrics and stats show them: every type, from zero, so a series exists before its first message. */
function byName(counts: readonly number[], other: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, name] of TYPES) out[name] = counts[t] ?? 0;
  return Object.assign(out, other);
}

/** Counters the observer keeps; /metrics and `phantom info` show them. */
export interface ObserverCounters {
  /** Membership events by type. */
  events: Record<MemberEventType, number>;
  /** Messages sent, by message type (ping, ack, pingReq, nack, alive, suspect, dead, left, pushPull). */
  messagesOut: Record<string, number>;
  /** Messages received and decoded, by type. */
  messagesIn: Record<string, number>;
  /** Probes of ours that got no ack, direct or indirect. */
  probesFailed: number;
  /** Suspicions this agent started or joined (ours or reported). */
  suspicionsStarted: number;
  /** Suspicions that ran out: the member was declared failed. */
  suspicionsExpired: number;
  /** Times we refuted an accusation against ourselves. */
  refutations: number;
  /** Push-pull exchanges we started, by reason. */
  pushPulls: Record<string, number>;
  /** Bytes of the packets that carried push-pull state (whole packets, sealed size), by direction. */
  pushPullBytes: { in: number; out: number };
  joinRetries: number;
  /** Members forgotten after the reap timeout. */
  reaped: number;
  /** Dropped packets and messages by reason (codec and core). */
  drops: Record<string, number>;
}

/** Turns driver outputs into logs and counters. */
export class Observer {
  /** Messages by type number; per message, one array increment (the hot path of every packet). */
  private readonly outByType: number[] = new Array<number>(TYPE_SLOTS).fill(0);
  private readonly inByType: number[] = new Array<number>(TYPE_SLOTS).fill(0);
  /** Types beyond the table (none today), by number: counted all the same. */
  private readonly otherTypes = { out: {} as Record<string, number>, in: {} as Record<string, number> };

  readonly counters: ObserverCounters = ((outs: number[], ins: number[], other: Observer['otherTypes']) => ({
    events: { join: 0, update: 0, suspect: 0, alive: 0, failed: 0, left: 0 },
    get messagesOut(): Record<string, number> {
      return byName(outs, other.out);
    },
    get messagesIn(): Record<string, number> {
      return byName(ins, other.in);
    },
    probesFailed: 0,
    suspicionsStarted: 0,
    suspicionsExpired: 0,
    refutations: 0,
    pushPulls: {},
    pushPullBytes: { in: 0, out: 0 },
    joinRetries: 0,
    reaped: 0,
    drops: {},
  }))(this.outByType, this.inByType, this.otherTypes);

  /** Round-trip time of our acked probes (seconds), direct or through a helper. */
  readonly probeRtt = new Histogram(PROBE_RTT_BOUNDS_S);
  /** Worst event-loop delay of each probe interval (seconds); empty when lagAwareness is off. */
  readonly loopDelay = new Histogram(LOOP_DELAY_BOUNDS_S);

  constructor(private readonly log: Logger) {}

  /** The worst event-loop delay (ms) of one sampling window. */
  lag(worstMs: number): void {
    this.loopDelay.observe(worstMs / 1000);
  }

  /** One membership change: one info line. */
  event(e: MemberEvent): void {
    this.counters.events[e.type]++;
    // The simulator runs thousands of observers on one silent logger: build no line nobody reads.
    if (this.log.levelVal > INFO) return;
    const m = e.member;
    const status = statusOf(m.state);
    this.log.info(
      {
        member: m.name,
        status,
        incarnation: m.incarnation,
        event: e.type,
        address: m.address,
        ...(e.type === 'join' || e.type === 'update' ? { tags: m.tags } : {}),
      },
      `member ${status}`,
    );
  }

  note(n: Note): void {
    const c = this.counters;
    switch (n.kind) {
      case 'probe-failed':
        c.probesFailed++;
        if (this.log.levelVal <= DEBUG) this.log.debug({ member: n.target, indirect: n.indirect }, 'probe failed');
        return;
      case 'probe-acked':
        this.probeRtt.observe(n.rttMs / 1000);
        return;
      case 'suspicion-started':
        c.suspicionsStarted++;
        if (this.log.levelVal <= DEBUG) this.log.debug({ member: n.target, by: n.by, timeoutMs: n.timeoutMs }, 'suspicion started');
        return;
      case 'suspicion-expired':
        c.suspicionsExpired++;
        if (this.log.levelVal <= DEBUG) this.log.debug({ member: n.target }, 'suspicion expired');
        return;
      case 'refuted':
        c.refutations++;
        this.log.info({ incarnation: n.incarnation, accusedBy: n.accusedBy }, 'refuted an accusation against us');
        return;
      case 'push-pull':
        c.pushPulls[n.reason] = (c.pushPulls[n.reason] ?? 0) + 1;
        if (this.log.levelVal <= DEBUG) this.log.debug({ peer: n.peer, reason: n.reason }, 'push-pull');
        return;
      case 'join-retry':
        c.joinRetries++;
        if (this.log.levelVal <= DEBUG) this.log.debug({ attempt: n.attempt, seeds: n.seeds }, 'join: no answer yet, retrying');
        return;
      case 'reaped':
        c.reaped++;
        if (this.log.levelVal <= DEBUG) this.log.debug({ member: n.name }, 'member forgotten (reaped)');
        return;
      case 'dropped':
        this.drop(n.reason, 1);
        if (this.log.levelVal <= DEBUG) this.log.debug({ from: n.from, reason: n.reason }, 'dropped');
        return;
      case 'incarnation-exhausted':
        this.log.error(
          { incarnation: n.incarnation, action: n.action },
          n.action === 'leave'
            ? 'left without announcing it: our incarnation is the highest every agent takes, so no agent would take our `left`; others will see this agent fail'
            : 'tag change refused: our incarnation is the highest every agent takes',
        );
        return;
      case 'name-conflict': {
        const fields = { member: n.name, holder: n.holder, claimant: n.claimant };
        if (n.role === 'holder')
          this.log.warn(
            fields,
            `name conflict: another agent at ${n.claimant} claims our name ${JSON.stringify(n.name)}; the cluster knows us by it, we keep it`,
          );
        else if (n.role === 'claimant')
          this.log.error(
            fields,
            `name conflict: the name ${JSON.stringify(n.name)} belongs to another agent at ${n.holder}; this agent is not admitted while that one is alive (give it another name)`,
          );
        else
          this.log.warn(fields, `name conflict: ${n.claimant} claims ${JSON.stringify(n.name)}, which the agent at ${n.holder} holds; ignored, and both told`);
        return;
      }
    }
  }

  /**
   * Packets or parts of them refused, by reason: the Driver's codec drops and the core's come as
   * notes; the member guard (rows cut from a packet that went on) and the key service report here.
   */
  drop(reason: string, n: number): void {
    const d = this.counters.drops;
    d[reason] = (d[reason] ?? 0) + n;
  }

  /** A packet went out (only called when trace is on). */
  packetOut(to: Address, bytes: Uint8Array, messages: number): void {
    this.log.trace({ to, bytes: bytes.length, messages }, 'packet out');
  }

  /** A packet came in (only called when trace is on). */
  packetIn(from: Address, bytes: Uint8Array): void {
    this.log.trace({ from, bytes: bytes.length }, 'packet in');
  }

  /** Whether per-packet hooks are worth installing at the current level. */
  get tracing(): boolean {
    return this.log.isLevelEnabled('trace');
  }

  /** The same codec, counting messages by type in both directions (one increment per message). */
  countingCodec(codec: Codec): Codec {
    const out = this.outByType;
    const inn = this.inByType;
    const other = this.otherTypes;
    const ppBytes = this.counters.pushPullBytes;
    /** Counts the messages; says whether one of them was a push-pull. */
    function count(into: number[], rest: Record<string, number>, ms: readonly Message[]): boolean {
      let pushPull = false;
      for (let i = 0; i < ms.length; i++) {
        const t = ms[i]!.type;
        if (t < TYPE_SLOTS) into[t]!++;
        else rest[t] = (rest[t] ?? 0) + 1;
        if (t === MsgType.PushPull) pushPull = true;
      }
      return pushPull;
    }
    return {
      sizeOf: codec.sizeOf,
      encode(messages) {
        const pushPull = count(out, other.out, messages);
        const bytes = codec.encode(messages);
        if (pushPull) ppBytes.out += bytes.length;
        return bytes;
      },
      decode(bytes) {
        const r = codec.decode(bytes);
        if (r.ok && count(inn, other.in, r.value)) ppBytes.in += bytes.length;
        return r;
      },
    };
  }
}
