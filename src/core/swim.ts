/**
 * The SWIM state machine's coordinator. It owns the member table, our own row and the suspicions,
 * and carries out what its parts want: the prober (prober.ts: probes, relays, nacks), vetting
 * (vetting.ts: confirmation checks, probation, flap damping), anti-entropy (anti-entropy.ts:
 * push-pull, digests, cookies, re-dials, reaping) and dissemination (dissemination.ts: what rides
 * on each packet, gossip rounds). Every claim about another member is judged by precedence.ts.
 *
 * Sans-IO: `step(input, now)` returns what to send and what changed; `nextDeadline()` says when
 * to call `step({type:'tick'}, now)` again. Everything due on a tick is handled in one fixed
 * order, so the same inputs at the same `now` values give the same outputs, byte for byte.
 * Flows and invariants: docs/PROTOCOL.md.
 */
import { PrunedNames } from './pruned.js';
import type { ProtocolConfig } from '../config.js';
import type { Input, Note, Outgoing, Output } from './io.js';
import { Awareness } from './awareness.js';
import { Dissemination, type DisseminationCounters } from './dissemination.js';
import { MembershipTable, type MemberRecord } from './membership.js';
import { GOSSIP, MAX_INCARNATION, MAX_INCARNATION_STEP, incarnationAllowed, judge, type Judge, type Via } from './precedence.js';
import * as M from './messages.js';
import { ProbeOrder } from './probe-order.js';
import { Prober, type ProbeFailure, type ProberCounters } from './prober.js';
import { AntiEntropy, type AntiEntropyWant, type Proof } from './anti-entropy.js';
import { ReturnCheck, weakCookieHash, type CookieHash } from './return-check.js';
import { PACKET_OVERHEAD_BYTES, updateOfRow } from './push-pull.js';
import { Joiner } from './joiner.js';
import { NoticeBackoff } from './notice-backoff.js';
import { Vetting, type VettingCounters, type VettingWant } from './vetting.js';
import { CoordinateExchange, Vivaldi } from './vivaldi.js';
import { DEFAULT_TUNING, type Coordinate } from './coordinate.js';
import { seededRandom } from './seeded-random.js';
import { Suspicions, type Suspicion, type SuspicionTimeout } from './suspicion.js';
import { EMPTY_TAGS, sameWireTags, tagsFromWire, tagsToWire } from './tags.js';
import { dynamicSuspicionTimeoutMs, expectedConfirmations, pushPullIntervalMs, removalFloorMs, suspicionTimeoutMs } from './timing.js';
import { RecentEvents } from './user-events.js';
import { Queries, type QueryCounters } from './queries.js';
import { isLive, type Address, type Member, type MemberEvent, type MemberState, type Random, type Tags } from './types.js';

export interface SwimInit {
  readonly name: string;
  /** The address others reach us at. */
  readonly address: Address;
  readonly tags?: Tags;
  /** Start above an incarnation we may have used before (from a snapshot). */
  readonly incarnation?: number;
  readonly config: ProtocolConfig;
}

export interface SwimDeps {
  readonly random: Random;
  /** Encoded size of one message inside a compound packet (bytes). */
  readonly sizeOf: (m: M.Message) => number;
  /**
   * Keyed hash for return-address cookies (return-check.ts): an HMAC with a per-agent secret.
   * Default: a weak one keyed from `random`, for tests of the core alone.
   */
  readonly cookieHash?: CookieHash;
}

/** After a stall, wait this long (ms) before concluding anything: read what queued first. */
const STALL_GRACE_MS = 5;

/**
 * Counters of the protocol's own health, for stats and metrics. What the core also reports as a
 * note (probes failed, suspicions started and expired, our refutations) is counted once, by the
 * agent's observer (agent/observe.ts), not here.
 */
export interface SwimCounters extends QueryCounters, ProberCounters, VettingCounters, DisseminationCounters {
  /** Lifeguard local health score, 0 = healthy. */
  awareness: number;
  /** Suspicions that ended because the member proved alive. */
  suspicionsRefuted: number;
  /** Ticks that came far later than asked: our own process stalled. */
  stalls: number;
  /** Event-loop delay samples over half the probe timeout, reported by the host. */
  lagSpikes: number;
  /** Windows in which the host refused a flood of bad datagrams. */
  floods: number;
  /** Network coordinate steps taken (one per direct probe acked with a coordinate). */
  coordinateUpdates: number;
  /** RTT samples or peer coordinates refused (over 10 s, another dimensionality, not finite). */
  coordinateRefused: number;
  /** User events delivered here (ours included), heard again, and refused as older than the buffer. */
  userEvents: number;
  userEventDuplicates: number;
  userEventsTooOld: number;
  /** Recent user events sent again to a member whose state transfer showed it had missed them. */
  userEventsResent: number;
}

export class Swim {
  readonly name: string;
  readonly address: Address;
  private readonly config: ProtocolConfig;
  private readonly random: Random;
  private readonly sizeOf: (m: M.Message) => number;

  private readonly table = new MembershipTable();
  /** Membership news, user events and queries waiting to ride, and what rides behind each message. */
  private readonly news: Dissemination;
  private readonly recentEvents: RecentEvents<M.UserEvent>;
  /** Have we heard a member's event clock yet? The first one is adopted, not repaired (onEventClock). */
  private heardEventClock = false;
  private readonly order: ProbeOrder;
  private readonly suspicions = new Suspicions();
  private readonly pruned: PrunedNames;
  private readonly prober: Prober;
  private readonly vetting: Vetting;
  private readonly joiner: Joiner;
  private readonly antiEntropy: AntiEntropy;
  private readonly awareness: Awareness;
  /** Network coordinates (vivaldi.ts); undefined when `coordinates` is off. */
  private readonly coords: CoordinateExchange | undefined;
  private readonly queries: Queries;
  private readonly counts: Omit<
    SwimCounters,
    'awareness' | 'coordinateUpdates' | 'coordinateRefused' | keyof QueryCounters | keyof ProberCounters | keyof VettingCounters | keyof DisseminationCounters
  > = {
    suspicionsRefuted: 0,
    stalls: 0,
    lagSpikes: 0,
    floods: 0,
    userEvents: 0,
    userEventDuplicates: 0,
    userEventsTooOld: 0,
    userEventsResent: 0,
  };
  /** The deadline we last asked to be woken at, to notice when we are woken late. */
  private requestedWake = Infinity;
  /** `now` of the last step: a deadline already past when asked for is due at once, not late. */
  private lastStepAt = -Infinity;

  private incarnation: number;
  /** The incarnation this process life began at: our alive claims carry it (`born`). */
  private born: number;
  /** Have we heard the cluster say anything about us yet? Before that, a claim about us is a previous life's. */
  private heardOfSelf = false;
  private announcedAfterJoin = false;
  /** When a member last probed us by name: the cluster holds us at our address. */
  private lastPingedAt = -Infinity;
  /** Name-conflict notices we send as a witness, backed off per holder address. */
  private readonly conflictNotices: NoticeBackoff;
  /** Claims of our own name at other addresses we answer, backed off per claimed address. */
  private readonly selfConflicts: NoticeBackoff;
  private wireTags: readonly string[];
  private seq = 0;
  private nextGossipAt: number;
  private nextPushPullAt: number;
  private nextMaintenanceAt: number;
  private leaveDeadline = Infinity;
  private state: 'running' | 'leaving' | 'stopped' = 'running';
  private out: Output[] = [];
  /** The address of the packet being handled, to name it in a drop ('' for our own steps). */
  private source: Address = '';
  /** What the precedence rule asks of our state. */
  private readonly judgeFacts: Judge;

  constructor(init: SwimInit, deps: SwimDeps, now: number) {
    this.name = init.name;
    this.address = init.address;
    this.config = init.config;
    this.random = deps.random;
    this.sizeOf = deps.sizeOf;
    this.news = new Dissemination({
      config: init.config,
      sizeOf: deps.sizeOf,
      liveCount: () => this.table.liveCount,
      liveAt: (addr) => this.table.liveAt(addr),
      gossipTargets: (k, now) =>
        this.order
          .sample(k, (name) => {
            if (name === this.name) return false;
            const r = this.table.get(name);
            if (!r) return false;
            return isLive(r.state) || (r.state === 'dead' && now - r.stateChangedAt < this.config.gossipToTheDeadMs);
          })
          .map((name) => this.table.addressOf(name)!),
      userEventTarget: () => {
        const [t] = this.order.sample(1, (name) => name !== this.name && isLive(this.table.get(name)?.state ?? 'dead'));
        return t === undefined ? undefined : this.table.get(t)!.address;
      },
    });
    this.recentEvents = new RecentEvents(init.config.userEventBuffer);
    this.queries = new Queries({
      name: this.name,
      address: this.address,
      config: init.config,
      liveCount: () => this.table.liveCount,
      ownTags: () => this.table.get(this.name)!.tags,
      isLiveAddress: (addr) => this.table.liveAt(addr),
      relayPeers: (k) => this.order.sample(k, (n) => n !== this.name && this.table.get(n)?.state === 'alive').map((n) => this.table.get(n)!.address),
      send: (to, m) => this.send(to, m),
      spread: (m) => {
        this.news.queueUser(m, 'q');
      },
      output: (o) => this.out.push(o),
    });
    this.order = new ProbeOrder(deps.random);
    this.vetting = new Vetting({
      name: this.name,
      config: init.config,
      member: (name) => this.table.get(name),
      liveNames: () => this.liveNames(),
      canCheck: () => this.state === 'running' && this.awareness.score === 0,
      nextSeq: () => ++this.seq,
      liveCount: () => this.table.liveCount,
      helpers: (k, target) =>
        this.order.sample(k, (n) => n !== target && n !== this.name && this.table.stateOf(n) === 'alive').map((n) => this.table.addressOf(n)!),
    });
    this.antiEntropy = new AntiEntropy({
      name: this.name,
      config: init.config,
      table: this.table,
      random: deps.random,
      returnCheck: new ReturnCheck(deps.cookieHash ?? weakCookieHash(deps.random)),
      running: () => this.state === 'running',
      stopped: () => this.state === 'stopped',
      seeds: () => this.joiner.seeds,
      randomAlivePeer: () => {
        const [peer] = this.order.sample(1, (name) => name !== this.name && this.table.stateOf(name) === 'alive');
        return peer === undefined ? undefined : this.table.addressOf(peer);
      },
      sizeOf: deps.sizeOf,
      // Always, at zero too: an agent that missed every event is the one that most needs them (3 bytes).
      stateCompanion: () => M.eventClock(this.recentEvents.clock.time),
    });
    this.joiner = new Joiner({
      config: init.config,
      address: init.address,
      pushTo: (seed) => this.exchange(this.antiEntropy.join(seed, this.lastStepAt), this.lastStepAt),
      output: (o) => this.out.push(o),
    });
    this.conflictNotices = new NoticeBackoff(init.config.probeIntervalMs);
    this.selfConflicts = new NoticeBackoff(init.config.probeIntervalMs);
    this.awareness = new Awareness(init.config.awarenessMaxMultiplier, init.config.lifeguardAwareness);
    // Its own random stream, seeded by name: coordinates must not shift the protocol's draws.
    this.coords = init.config.coordinates
      ? new CoordinateExchange(new Vivaldi(seededRandom(init.name), { ...DEFAULT_TUNING, dimensions: init.config.coordinateDimensions }))
      : undefined;
    this.incarnation = init.incarnation ?? 0;
    this.born = this.incarnation;
    this.wireTags = tagsToWire(init.tags ?? {});
    // Our own row is ours to write: the bounds on others' claims (precedence.ts) do not apply to it.
    this.table.set({
      name: this.name,
      state: 'alive',
      incarnation: this.incarnation,
      address: this.address,
      tags: EMPTY_TAGS,
      wireTags: this.wireTags,
      stateChangedAt: now,
    });
    this.pruned = new PrunedNames(init.config.reapLeftAfterMs);
    this.judgeFacts = {
      config: init.config,
      liveMember: (name) => this.isLiveMember(name),
      soleAccuser: (known, from) => this.soleAccuser(known, from, this.lastStepAt),
      pruned: (name, inc) => this.pruned.covers(name, inc, this.lastStepAt),
    };
    const c = this.config;
    // Random phases so that agents started together do not probe and gossip in lockstep.
    this.prober = new Prober(
      {
        name: this.name,
        config: init.config,
        nextSeq: () => ++this.seq,
        scale: (ms) => this.awareness.scale(ms),
        liveCount: () => this.table.liveCount,
        helpers: (k, target) =>
          this.order
            .sample(k, (name) => name !== target && name !== this.name && this.table.stateOf(name) === 'alive')
            .map((name) => this.table.addressOf(name)!),
      },
      now + this.random.int(c.probeIntervalMs),
    );
    this.nextGossipAt = now + this.random.int(c.gossipIntervalMs);
    this.nextPushPullAt = now + c.pushPullIntervalMs + this.random.int(Math.max(1, c.pushPullIntervalMs));
    this.nextMaintenanceAt = now + this.maintenanceIntervalMs() + this.random.int(this.maintenanceIntervalMs());
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Every member we know of, ourselves included, failed and left ones too. */
  members(): Member[] {
    const rows: Member[] = [...this.table.values()];
    return this.coords ? rows.map((r) => this.withCoordinate(r)) : rows;
  }
  member(name: string): Member | undefined {
    const r = this.table.get(name);
    return r && this.coords ? this.withCoordinate(r) : r;
  }
  /** Whether the table holds a row for `name` (any state), without making a record: per-row checks. */
  has(name: string): boolean {
    return this.table.stateOf(name) !== undefined;
  }
  /** Rows in the table (any state, ourselves included). */
  get size(): number {
    return this.table.size;
  }
  /** Our own network coordinate (undefined when `coordinates` is off). */
  coordinate(): Coordinate | undefined {
    return this.coords?.vivaldi.coordinate;
  }
  /** The coordinate of `name` as we last heard it (ours for our own name). */
  coordinateOf(name: string): Coordinate | undefined {
    return name === this.name ? this.coords?.vivaldi.coordinate : this.coords?.vivaldi.peer(name);
  }
  private withCoordinate(r: Member): Member {
    const coordinate = this.coordinateOf(r.name);
    return coordinate ? { ...r, coordinate } : r;
  }
  /** Members alive or suspect, ourselves included. */
  get liveCount(): number {
    return this.table.liveCount;
  }
  /** Members alive (not suspect), ourselves included. */
  get aliveCount(): number {
    return this.table.aliveCount;
  }
  /** The state we hold for `name`, without making a Member (for checks over every pair of agents). */
  stateOf(name: string): MemberState | undefined {
    return this.table.stateOf(name);
  }
  /** Order-independent 53-bit digest of every name:state:incarnation we hold: equal tables, equal digests. */
  get digest(): number {
    return this.table.digest;
  }
  get currentIncarnation(): number {
    return this.incarnation;
  }
  /**
   * Can we still raise our incarnation (for a tag change) to one every agent takes? False only at
   * the top of the wire's range (2^53 - 1): the host refuses set-tags then (ERR_INCARNATION_EXHAUSTED).
   */
  get canRaiseIncarnation(): boolean {
    return incarnationAllowed('alive', this.incarnation + 1, this.incarnation);
  }
  get stopped(): boolean {
    return this.state === 'stopped';
  }
  /** Lifeguard health and suspicion counters. */
  counters(): SwimCounters {
    return {
      awareness: this.awareness.score,
      ...this.counts,
      ...this.prober.counts,
      ...this.vetting.counts,
      ...this.news.counts,
      ...this.queries.counts,
      coordinateUpdates: this.coords?.vivaldi.updates ?? 0,
      coordinateRefused: this.coords?.vivaldi.refused ?? 0,
    };
  }
  /** Updates waiting to be piggybacked. */
  get pendingBroadcasts(): number {
    return this.news.pending;
  }
  /** User events waiting to be piggybacked. */
  get pendingUserMessages(): number {
    return this.news.pendingUser;
  }
  /** The Lamport time our next user event gets. */
  get eventClock(): number {
    return this.recentEvents.clock.time;
  }

  /** When `step({type:'tick'})` must next be called (ms, same clock as `now`). */
  nextDeadline(): number {
    this.requestedWake = this.computeDeadline();
    return this.requestedWake;
  }

  private computeDeadline(): number {
    if (this.state === 'stopped') return Infinity;
    let t = Math.min(this.suspicions.earliest(), this.nextMaintenanceAt);
    if (this.news.pending > 0 || this.news.pendingUser > 0) t = Math.min(t, this.nextGossipAt);
    t = Math.min(t, this.prober.relayDeadline(), this.queries.earliest());
    // Checks and probation advance only while running: a leaving agent must not wake for them,
    // or a check due before the leave ends stays due forever and the agent spins (issue 18).
    if (this.state === 'leaving') return Math.min(t, this.leaveDeadline);
    t = Math.min(t, this.vetting.earliest());
    t = Math.min(t, this.prober.probeDeadline(), this.nextPushPullAt);
    t = Math.min(t, this.joiner.earliest());
    return t;
  }

  // ---- stepping ------------------------------------------------------------------------------

  step(input: Input, now: number): Output[] {
    this.out = [];
    const previousStepAt = this.lastStepAt;
    this.lastStepAt = now;
    if (this.state === 'stopped') return this.out;
    // Any input can be the first sign of a stall: after a pause the event loop often hands us a
    // queued packet before the overdue timer, and the tick that follows then looks on time.
    if (this.noticeStall(now, previousStepAt)) this.afterStall(now);
    if (input.type === 'tick') {
      this.onTick(now);
      return this.out;
    }
    switch (input.type) {
      case 'packet': {
        // Judged once, before any message of the packet can change the table.
        const proof = this.proofOf(input.from, input.messages, now);
        this.source = input.from;
        for (const m of input.messages) this.onMessage(m, input.from, now, proof, input.messages);
        this.source = '';
        break;
      }
      case 'join':
        this.joiner.start(input.id, input.seeds, now);
        break;
      case 'leave':
        this.startLeave(now);
        break;
      case 'set-tags':
        this.setTags(input.tags, now);
        break;
      case 'force-leave':
        this.forceLeave(input.name, input.prune, now);
        break;
      case 'lag':
        if (this.config.lagAwareness && input.lagMs > this.config.probeTimeoutMs / 2) {
          this.counts.lagSpikes++;
          this.awareness.apply(1);
        }
        break;
      case 'user-event':
        if (this.state === 'running') this.sendUserEvent(input.name, input.payload, input.coalesce);
        break;
      case 'query':
        if (this.state === 'running') this.queries.ask(input.id, input.request, now);
        else this.out.push({ type: 'query-done', id: input.id, timeoutMs: 0 });
        break;
      case 'query-respond':
        this.queries.respond(input.key, input.payload, now);
        break;
      case 'flood':
        // Good packets are lost in a flood too (the socket buffer overflows): trust our own
        // verdicts less, as with a stall.
        if (this.config.lagAwareness) {
          this.counts.floods++;
          this.awareness.apply(1);
        }
        break;
    }
    return this.out;
  }

  /**
   * Are we running much later than the wake-up we asked for (by a tick, or by any input that
   * came while that tick was overdue)? Then our own process stalled (GC, busy loop).
   */
  private noticeStall(now: number, previousStepAt: number): boolean {
    const lateness = now - Math.max(this.requestedWake, previousStepAt);
    this.requestedWake = Infinity;
    if (!this.config.stallDetection || !(lateness > this.config.probeTimeoutMs / 2)) return false;
    this.counts.stalls++;
    this.awareness.apply(1);
    return true;
  }

  /**
   * Nothing that ran out while we slept is evidence yet: the acks, nacks and refutations that
   * would have saved it may be queued behind this input. Read them first.
   */
  private afterStall(now: number): void {
    this.suspicions.postponeDue(now, now + STALL_GRACE_MS);
    this.prober.afterStall(now, STALL_GRACE_MS);
    this.vetting.dropOverdue(now);
  }

  private onTick(now: number): void {
    this.expireSuspicions(now);
    this.queries.expire(now);
    for (const o of this.prober.nacksDue(now)) this.dispatch(o);
    for (const want of this.vetting.advance(now, this.state === 'running')) this.vetted(want, now);
    if (this.state === 'running') {
      this.advanceProbe(now);
      this.joiner.advance(now);
      if (now >= this.nextPushPullAt) {
        this.nextPushPullAt = now + pushPullIntervalMs(this.config.pushPullIntervalMs, this.table.liveCount);
        if (this.config.pushPullIntervalMs > 0) this.exchange(this.antiEntropy.periodic(now), now);
        else this.nextPushPullAt = Infinity;
      }
    }
    if (now >= this.nextMaintenanceAt) {
      this.nextMaintenanceAt = now + this.maintenanceIntervalMs();
      this.exchange(this.antiEntropy.reap(now), now);
      if (this.state === 'running' && this.config.reconnectIntervalMs > 0) this.exchange(this.antiEntropy.reconnect(now), now);
    }
    if (now >= this.nextGossipAt) {
      this.nextGossipAt = now + this.config.gossipIntervalMs;
      this.gossip(now);
    }
    if (this.state === 'leaving') this.checkLeaveDone(now);
  }

  // ---- what the parts want ------------------------------------------------------------------

  /** Carry out what anti-entropy wants, each before it decides the next. */
  private exchange(wants: Iterable<AntiEntropyWant>, now: number): void {
    for (const w of wants) {
      switch (w.type) {
        case 'packet':
          this.out.push({ type: 'send', to: w.to, messages: w.messages });
          break;
        case 'send':
          this.dispatch(w.send);
          break;
        case 'note':
          this.note(w.note);
          break;
        case 'merge':
          // Bounded: the hint is the sender's word, and a forged one must not make us allocate.
          this.table.reserve(Math.min(w.tableRows, 2 * this.table.size + 1024));
          for (const e of w.rows) this.mergeRow(e, w.sender, now);
          break;
        case 'join-answered':
          this.joinAnswered(w.from, now);
          break;
        case 'reap':
          this.table.delete(w.name);
          this.note({ kind: 'reaped', name: w.name });
          break;
      }
    }
  }

  /** Carry out what vetting concluded. */
  private vetted(want: VettingWant, now: number): void {
    switch (want.type) {
      case 'send':
        return this.dispatch(want.send);
      case 'confirm-failed':
        return this.confirmOwn(want.row, now);
      case 'probation-failed':
        return this.onUpdate(M.dead(want.name, want.incarnation, this.name), now);
      case 'readmit':
        return this.admitAlive(want.claim, this.table.get(want.claim.name), now, false);
    }
  }

  // ---- probing and suspicion -------------------------------------------------------------------

  private advanceProbe(now: number): void {
    const { send, failed } = this.prober.advance(now);
    for (const o of send) this.dispatch(o);
    if (failed) this.probeFailed(failed, now);
    if (!this.prober.periodBegins(now)) return;
    const target = this.order.next(
      (name) => name !== this.name && isLive(this.table.stateOf(name) ?? 'dead'),
      () => this.probeCandidates(now),
    );
    if (target !== undefined) this.dispatch(this.prober.start(this.table.get(target)!, now, this.coords?.companion()));
  }

  /** Members for a new probe pass; recently dead ones too, so gossip can still reach them. */
  private probeCandidates(now: number): string[] {
    const names: string[] = [];
    for (const r of this.table.values()) {
      if (r.name === this.name) continue;
      if (isLive(r.state) || (r.state === 'dead' && now - r.stateChangedAt < this.config.gossipToTheDeadMs)) names.push(r.name);
    }
    return names;
  }

  private probeFailed(p: ProbeFailure, now: number): void {
    this.note({ kind: 'probe-failed', target: p.target, indirect: p.indirect });
    // Lifeguard: helpers that could reach the target would have said nack. Missing nacks point
    // at us, not the target; with no helpers, any failed probe is a small mark against us.
    const expected = this.config.lifeguardNack ? p.indirect : 0;
    this.awareness.apply(expected > 0 ? expected - Math.min(p.nacks, expected) : 1);
    const row = this.table.get(p.target);
    if (!row) return;
    if (row.state === 'alive') return this.accuse(row, this.name, now);
    if (row.state === 'suspect') this.confirmOwn(row, now);
  }

  /** Our own failed probe of a member already suspect: one more independent accuser. */
  private confirmOwn(row: MemberRecord, now: number): void {
    if (!this.countsConfirmations()) return;
    if (this.suspicions.confirm(row.name, row.incarnation, this.name, this.suspicionTimeout(row.name))) {
      if (this.confirmationNeeded(row.name)) this.queueUpdate(M.suspect(row.name, row.incarnation, this.name));
      this.expireSuspicions(now);
    }
  }

  /**
   * Does a confirmation we just counted still shorten anyone's suspicion? Past the number the
   * timeout needs (as memberlist stops at k), passing more on only costs: with a long hold on a
   * member on parole, every agent's failed probe would otherwise restart the gossip about it.
   */
  private confirmationNeeded(name: string): boolean {
    const c = this.config;
    const n = this.table.liveCount;
    const needed = Math.max(
      c.lifeguardDynamicSuspicion ? expectedConfirmations(c.suspicionMult, n) : 0,
      c.activeConfirmation ? Math.min(c.confirmers, Math.max(1, n - 2)) : 0,
    );
    return (this.suspicions.get(name)?.accusers.size ?? 0) - 1 <= needed;
  }

  private countsConfirmations(): boolean {
    return this.config.lifeguardDynamicSuspicion || this.config.activeConfirmation;
  }

  /** Mark a member suspect on someone's word (ours included) and start our own timer. */
  private accuse(row: MemberRecord, accuser: string, now: number): void {
    const msg = M.suspect(row.name, row.incarnation, accuser);
    const r = this.table.apply({ name: row.name, state: 'suspect', incarnation: row.incarnation }, now);
    if (!r.changed) return;
    this.emit(r.event);
    this.startSuspicion(row.name, row.incarnation, accuser, now);
    this.queueUpdate(msg);
  }

  private startSuspicion(name: string, incarnation: number, accuser: string, now: number): void {
    const timeoutMs = this.suspicions.start(name, incarnation, accuser, now, this.suspicionTimeout(name));
    this.note({ kind: 'suspicion-started', target: name, by: accuser, timeoutMs });
    this.vetting.suspicionStarted(name, incarnation, accuser, now);
  }

  private isLiveMember(name: string): boolean {
    const state = this.table.stateOf(name);
    return state !== undefined && isLive(state);
  }

  private *liveNames(): Generator<string> {
    for (const r of this.table.values()) if (isLive(r.state)) yield r.name;
  }

  /**
   * The timeout of a suspicion of `name` by the number of independent confirmations it has.
   * Two timescales: a suspect is routed around at once (the balancer prefers alive members),
   * but the dead verdict, which moves keys and shards, waits at least removalFloorMs.
   */
  private suspicionTimeout(name: string): SuspicionTimeout {
    const c = this.config;
    const n = this.table.liveCount;
    const min = suspicionTimeoutMs(c.suspicionMult, n, c.probeIntervalMs);
    const expected = expectedConfirmations(c.suspicionMult, n);
    const max = Math.floor(min * c.suspicionMaxTimeoutMult);
    const base: SuspicionTimeout = c.lifeguardDynamicSuspicion ? (k) => dynamicSuspicionTimeoutMs(k, expected, min, max) : () => min;
    // A member that flapped recently is held suspect as long as its last outage lasted.
    const hold = this.vetting.holdMs(name, this.lastStepAt);
    const held: SuspicionTimeout = hold > 0 ? (k) => Math.max(base(k), hold) : base;
    if (!c.activeConfirmation || c.confirmers === 0) return held;
    // Enough independent failed probes (the checkers' among them) is strong evidence: end at the
    // removal floor (memberlist's shortest suspicion), so that a stall shorter than it is survived.
    const wanted = Math.min(c.confirmers, Math.max(1, n - 2));
    const floor = removalFloorMs(c.suspicionMult, c.probeIntervalMs);
    return (k) => (k >= wanted ? Math.max(Math.min(base(k), floor), hold) : held(k));
  }

  /**
   * Did a suspicion run out on its long clock: fewer independent confirmations than active
   * confirmation gathers for a real death, and older than the removal floor (where a confirmed
   * one ends)? Then nobody but its accusers ever failed to reach the member.
   */
  private unconfirmed(s: Suspicion, now: number): boolean {
    const c = this.config;
    if (!c.activeConfirmation || c.confirmers === 0) return false;
    return (
      s.accusers.size - 1 < Math.min(c.confirmers, Math.max(1, this.table.liveCount - 2)) &&
      now - s.startedAt > removalFloorMs(c.suspicionMult, c.probeIntervalMs)
    );
  }

  private expireSuspicions(now: number): void {
    for (const { name, suspicion } of this.suspicions.takeDue(now)) {
      const row = this.table.get(name);
      if (row?.state !== 'suspect' || row.incarnation !== suspicion.incarnation) continue;
      if (this.vetting.verifyBeforeVerdict(row, now, this.unconfirmed(suspicion, now))) {
        this.suspicions.start(name, row.incarnation, this.name, now, () => this.config.probeIntervalMs);
        continue;
      }
      this.note({ kind: 'suspicion-expired', target: name });
      const r = this.table.apply({ name, state: 'dead', incarnation: row.incarnation }, now);
      if (!r.changed) continue;
      this.vetting.wentDown(name, row.stateChangedAt, now);
      this.emit(r.event);
      this.queueUpdate(M.dead(name, row.incarnation, this.name));
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** Is the sender a live member at this address, or did it echo a cookie of ours? */
  private proofOf(from: Address, messages: readonly M.Message[], now: number): Proof {
    if (this.table.liveAt(from)) return 'member';
    for (const m of messages) if (m.type === M.MsgType.Cookie && this.antiEntropy.ownCookie(from, m.seq, now)) return 'cookie';
    return 'none';
  }

  private onMessage(m: M.Message, from: Address, now: number, proof: Proof, packet: readonly M.Message[]): void {
    switch (m.type) {
      case M.MsgType.Ping:
        if (m.target !== this.name) return this.note({ kind: 'dropped', reason: 'ping-for-other', from });
        this.lastPingedAt = now;
        this.ackPing(m, from, proof === 'member');
        if (proof === 'member' && m.from !== this.name && this.table.get(m.from)) this.coords?.heardPing(m.from, packet);
        return this.exchange(this.antiEntropy.maybeCatchUp(m.known, from, now, proof === 'member'), now);
      case M.MsgType.Ack:
        return this.onAck(m, from, now, proof === 'member', packet);
      case M.MsgType.PingReq:
        return this.onPingReq(m, from, now);
      case M.MsgType.Nack:
        return this.prober.onNack(m);
      case M.MsgType.Suspect:
      case M.MsgType.Dead:
        // A verdict on an older life or incarnation of ours: the sender missed our claim. Answer
        // a member with it alone (no piggyback: one small datagram for one); a stranger gets
        // nothing, so it cannot use us to reflect our claim at an address of its choosing.
        if (m.name === this.name && m.inc < this.incarnation && this.state === 'running' && proof === 'member')
          this.out.push({ type: 'send', to: from, messages: [this.ownClaim()] });
        return this.onUpdate(m, now);
      case M.MsgType.Alive:
      case M.MsgType.Left:
        return this.onUpdate(m, now);
      case M.MsgType.PushPull:
        return this.exchange(this.antiEntropy.onPushPull(m, from, now, proof, packet), now);
      case M.MsgType.Digest:
        return this.exchange(this.antiEntropy.onDigest(m, from, now, proof, packet), now);
      case M.MsgType.Have:
        return this.exchange(this.antiEntropy.onHave(m, from, now, proof, packet), now);
      case M.MsgType.Cookie:
        return this.exchange(this.antiEntropy.onCookie(m, from, now), now);
      case M.MsgType.Coord:
        return; // read with the ping or ack it rides with
      case M.MsgType.EventClock:
        // Asked now, not at the packet's start: the state transfer it rides behind may have just
        // made the sender a member (a join's reply), and its clock is then ours to start from.
        return this.onEventClock(m.ltime, from, this.table.liveAt(from));
      case M.MsgType.UserEvent:
        // From members only: a stranger must not be able to make the whole cluster gossip for it.
        if (proof === 'none') return this.note({ kind: 'dropped', reason: 'event-from-stranger', from });
        return this.onUserEvent(m);
      case M.MsgType.Query:
        if (proof === 'none') return this.note({ kind: 'dropped', reason: 'query-from-stranger', from });
        if (this.state !== 'running') return;
        return this.queries.receive(m, now);
      case M.MsgType.QueryResponse:
        return this.queries.onResponse(m, now);
    }
  }

  /**
   * Answer a ping. A pinger we hold dead is probing again: it is back (at its old address or, a
   * restart that moved, at a new one), and may not know it was declared dead. Tell it in the
   * ack, so it refutes now, not at the next push-pull. Our coordinate goes only to members: an
   * answer to a stranger must not be bigger than its ping.
   */
  private ackPing(m: M.Ping, from: Address, member: boolean): void {
    const ack = M.ack(m.seq, this.name, this.table.liveCount);
    const pinger = this.table.get(m.from);
    if (pinger?.state === 'dead') this.send(from, ack, M.dead(m.from, pinger.incarnation, this.name));
    else this.send(from, ack, member ? this.coords?.companion() : undefined);
  }

  private onAck(m: M.Ack, from: Address, now: number, trusted: boolean, packet: readonly M.Message[]): void {
    const r = this.prober.onAck(m, from, now);
    if (r && 'relayed' in r) {
      if (r.relayed) this.dispatch(r.relayed);
      return;
    }
    const check = this.vetting.acked(m.seq);
    if (check) {
      if (check.resync !== undefined) this.exchange(this.antiEntropy.sendState(check.resync, 0, true, now), now);
      return;
    }
    if (r) {
      const { target, rttMs, direct, retried } = r.probe;
      // Only a direct ack shows our own packets flow both ways (Lifeguard).
      if (direct) this.awareness.apply(-1);
      // Only a direct round trip measures the path between us; a relayed one adds a detour, and
      // after a retry we cannot tell which ping it answers.
      if (direct && !retried) this.coords?.directAck(target, packet, rttMs);
      this.note({ kind: 'probe-acked', target, rttMs, direct });
    }
    this.exchange(this.antiEntropy.maybeCatchUp(m.known, from, now, trusted), now);
  }

  private onPingReq(m: M.PingReq, from: Address, now: number): void {
    if (this.state !== 'running') return;
    // Relay only to a member we know, at the address we know it by: a ping-req must not make us
    // send packets (full of piggybacked news) to any address a stranger names.
    const target = this.table.get(m.target);
    if (!target || target.address !== m.targetAddr || target.state === 'left') return this.note({ kind: 'dropped', reason: 'ping-req-unknown-target', from });
    this.dispatch(this.prober.relay(m, from, now));
  }

  // ---- user events ---------------------------------------------------------------------------

  private sendUserEvent(name: string, payload: Uint8Array, coalesce: boolean): void {
    const m = M.userEvent(this.recentEvents.clock.next(), name, payload, coalesce ? M.UserEventFlag.coalesce : 0);
    this.onUserEvent(m);
  }

  /**
   * A member told us its user-event clock (with a state transfer, or alone to ask). Behind ours:
   * send it the recent events stamped at or after it, which it has certainly missed (a partition,
   * a stall), oldest first, one datagram at most each time. Ahead of ours: we missed some; ask
   * with our own clock alone (the transfer may have come while the sender did not yet hold us
   * live, and would not answer). Serf's push-pull carries its whole event buffer for the same
   * reason. Only with a member at its address: no reflection. The first clock we hear is taken
   * as our own: a newcomer is not handed the events sent before it joined.
   */
  private onEventClock(ltime: number, to: Address, member: boolean): void {
    if (!member || this.state !== 'running') return;
    // A new process starts from the cluster's clock, as a Serf agent joins without -replay: the
    // events sent before it came are not its own to handle.
    if (!this.heardEventClock) {
      this.heardEventClock = true;
      if (ltime > 0) this.recentEvents.clock.witness(ltime - 1);
      return;
    }
    const ours = this.recentEvents.clock.time;
    if (ltime > ours) return void this.out.push({ type: 'send', to, messages: [M.eventClock(ours)] });
    if (ltime === ours) return;
    const room = this.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES;
    const batch: M.UserEvent[] = [];
    let used = 0;
    for (const e of this.recentEvents.since(ltime)) {
      const size = this.sizeOf(e);
      if (used + size > room && batch.length > 0) break;
      batch.push(e);
      used += size;
    }
    if (batch.length === 0) return;
    this.counts.userEventsResent += batch.length;
    this.out.push({ type: 'send', to, messages: batch });
  }

  private onUserEvent(m: M.UserEvent): void {
    const verdict = this.recentEvents.accept(m);
    if (verdict === 'duplicate') return void this.counts.userEventDuplicates++;
    if (verdict === 'too-old') return void this.counts.userEventsTooOld++;
    this.counts.userEvents++;
    // Each distinct event is queued once (the buffer saw to that), under a key of its own.
    this.news.queueUser(m, 'e');
    this.out.push({ type: 'user-event', event: { name: m.name, payload: m.payload, ltime: m.ltime, coalesce: (m.flags & M.UserEventFlag.coalesce) !== 0 } });
  }

  // ---- membership updates and our own row ---------------------------------------------------

  /**
   * Apply a claim, as the precedence rule (precedence.ts) rules; a claim about us is ours to
   * refute. The one path for every membership update of another member's row.
   */
  private onUpdate(m: M.Update, now: number, via: Via = GOSSIP): void {
    if (m.name === this.name) return this.aboutSelf(m, now);
    // Most gossip is old news (an update reaches every agent about retransmit-limit times).
    if (m.type === M.MsgType.Alive && this.table.isOldAliveClaim(m.name, m.inc, m.addr)) return;
    const known = this.table.get(m.name);
    const ruling = judge(m, known, via, this.judgeFacts);
    switch (ruling.kind) {
      case 'ignore':
        return;
      case 'drop':
        return this.note({ kind: 'dropped', reason: ruling.reason, from: this.source });
      case 'conflict':
        this.note({ kind: 'dropped', reason: 'address-conflict', from: ruling.claim.addr });
        return this.noticeConflict(ruling.claim, known!, now);
      case 'vet': {
        const claim = ruling.claim;
        const verdict = this.vetting.claim(claim, known!.incarnation, now);
        // Relay a held claim: every agent puts the member on probation, not just us.
        if (verdict === 'probation' && ruling.relay) this.queueUpdate(claim);
        // A claim from a state transfer does not say when the member's process life began:
        // ask the member itself (it answers a stale verdict with its own claim, `born` included).
        if (verdict === 'probation' && claim.born === undefined && this.state === 'running')
          this.out.push({ type: 'send', to: claim.addr, messages: [M.dead(claim.name, known!.incarnation, this.name)] });
        if (verdict === 'admit') this.admitAlive(claim, known, now, ruling.relay);
        return;
      }
      case 'alive':
        if (ruling.reborn) this.vetting.forget(m.name);
        return this.admitAlive(ruling.claim, known, now, ruling.relay);
      case 'suspect': {
        const r = this.table.apply({ name: m.name, state: 'suspect', incarnation: m.inc }, now);
        if (!r.changed) return;
        this.emit(r.event);
        this.startSuspicion(m.name, m.inc, ruling.claim.from, now);
        if (ruling.relay) this.queueUpdate(ruling.claim);
        return;
      }
      case 'confirm':
        if (this.suspicions.confirm(m.name, m.inc, ruling.claim.from, this.suspicionTimeout(m.name))) {
          // Pass it on so others can count it too.
          if (ruling.relay && this.confirmationNeeded(m.name)) this.queueUpdate(ruling.claim);
          this.expireSuspicions(now);
        }
        return;
      case 'remind-left':
        return this.answerStale(known!, (m as M.Suspect).from);
      case 'down':
        return this.takeVerdict(ruling.claim, known!, now, ruling.relay);
      case 'remind-pruned': {
        // Gossip the prune again: the peer that offered the row hears it with the rest.
        const inc = this.pruned.incarnationOf(ruling.name);
        if (inc !== undefined) this.queueUpdate(M.left(ruling.name, inc, true));
        return;
      }
      case 'prune':
        this.prune(ruling.claim, now);
        if (ruling.relay) this.queueUpdate(ruling.claim);
        return;
      case 'adopt':
        this.table.apply({ name: m.name, state: ruling.state, incarnation: m.inc, address: ruling.row.addr, wireTags: ruling.row.tags }, now - ruling.age);
        return;
    }
  }

  /**
   * A row of a state transfer from `sender`: a claim like any other (precedence.ts), about us or
   * another member. Most rows are old news: the table answers that without building a record.
   */
  private mergeRow(e: M.Entry, sender: string, now: number): void {
    const state = M.memberStateOf[e.state];
    if (state === undefined) return;
    const m = updateOfRow(e, state, sender);
    if (e.name !== this.name && this.table.isOldNews(e.name, state, e.inc)) return;
    this.onUpdate(m, now, { kind: 'state-transfer', sender, row: e });
  }

  /** A dead or left verdict the rule let through: taken unless the member is on probation. */
  private takeVerdict(m: M.Dead | M.Left, known: MemberRecord, now: number, relay: boolean): void {
    // During probation only the member's checkers' failures count (vetting.ts).
    if (!this.vetting.verdict(m.name, m.inc, m.type === M.MsgType.Left, m.type === M.MsgType.Dead ? m.from : undefined, now)) return;
    const state: MemberState = m.type === M.MsgType.Dead ? 'dead' : 'left';
    const r = this.table.apply({ name: m.name, state, incarnation: m.inc }, now);
    if (!r.changed) return;
    if (state === 'dead' && isLive(known.state)) this.vetting.wentDown(m.name, known.state === 'suspect' ? known.stateChangedAt : now, now);
    this.suspicions.clear(m.name);
    this.emit(r.event);
    if (relay) this.queueUpdate(m);
    // A `left` is relayed, so nobody can check who said it first: tell the member itself, so
    // that a false (or forged) one is refuted within a round trip, not at the next push-pull.
    // A member that really left is stopped and hears nothing: one small datagram each.
    // Bare: a departed member has no use for our news, and the datagram stays small.
    if (m.type === M.MsgType.Left && isLive(known.state) && this.state === 'running') this.out.push({ type: 'send', to: known.address, messages: [m] });
  }

  /**
   * Alive, or suspect for less than the removal floor without the independent confirmations
   * (checkers' failed probes) that would end our own suspicion at the floor. A real death has
   * them within a second, so its verdict spreads at once; one or two faulty agents' word does not.
   */
  private soleAccuser(known: MemberRecord, from: string, now: number): boolean {
    if (known.state !== 'suspect') return true;
    // A verdict from a name we do not hold live, or from the suspect itself, is no second observer.
    if (!this.isLiveMember(from) || from === known.name) return true;
    const s = this.suspicions.get(known.name);
    if (s === undefined) return true;
    const c = this.config;
    if (now - s.startedAt >= removalFloorMs(c.suspicionMult, c.probeIntervalMs)) return false;
    const others = [...s.accusers].filter((a) => a !== from).length;
    return others < Math.min(c.confirmers, Math.max(1, this.table.liveCount - 2));
  }

  /**
   * Someone accuses a member that left: it missed the `left` (gossip reaches everyone only with
   * high probability). Tell it again, unless we are already telling.
   */
  private answerStale(known: MemberRecord, accuser: string): void {
    const left = M.left(known.name, known.incarnation);
    if (this.news.transmitsOf(known.name) === undefined) this.queueUpdate(left);
    // The accuser is the one that missed the leave: tell it straight away (one small datagram),
    // or it learns only when gossip happens to pick it, and holds the member failed meanwhile.
    const to = accuser === this.name ? undefined : this.table.get(accuser);
    if (to && isLive(to.state) && this.state === 'running') this.out.push({ type: 'send', to: to.address, messages: [left] });
  }

  /** Take an alive claim the rule (or a passed probation) let through. */
  private admitAlive(m: M.Alive, known: MemberRecord | undefined, now: number, relay: boolean): void {
    const r = this.table.apply({ name: m.name, state: 'alive', incarnation: m.inc, address: m.addr, wireTags: m.tags }, now);
    if (!r.changed) return;
    if (known?.state === 'suspect') {
      this.counts.suspicionsRefuted++;
      this.vetting.cameBack(m.name, known.stateChangedAt, now);
    }
    this.suspicions.clear(m.name);
    if (!known || !isLive(known.state)) this.order.insert(this.table.internedName(m.name) ?? m.name);
    this.emit(r.event);
    if (relay) this.queueUpdate(m);
  }

  /**
   * Tell the holder of a name that another address claims it: the claim itself, bare, so a
   * forged claim cannot make us send more than it did, and backed off per holder address
   * (notice-backoff.ts). Nothing goes to the claimed address: the claim may name any address
   * (a reflection), and a real second agent learns who holds the name from the state transfers
   * it asks for (its join, its push-pull), as memberlist's agents do.
   */
  private noticeConflict(claim: M.Alive, holder: MemberRecord, now: number): void {
    if (!this.conflictNotices.allow(holder.address, now)) return;
    this.note({ kind: 'name-conflict', name: claim.name, holder: holder.address, claimant: claim.addr, role: 'witness' });
    if (this.state !== 'running') return;
    this.out.push({ type: 'send', to: holder.address, messages: [claim] });
  }

  /** Something was said about us. Refute anything but the truth with a higher incarnation. */
  private aboutSelf(m: M.Update, now: number): void {
    if (this.state !== 'running') return;
    if (m.type === M.MsgType.Alive && m.addr !== this.address && m.inc >= this.incarnation && this.nameConflict(m, now)) return;
    // The first thing the cluster says about us, if it is not our own claim, is about a previous
    // process life under our name: our refutation starts this life's incarnations above it.
    const previousLife = !this.heardOfSelf;
    this.heardOfSelf = true;
    if (m.type === M.MsgType.Alive) {
      if (m.inc < this.incarnation || (m.inc === this.incarnation && m.addr === this.address)) return;
    } else if (m.inc < this.incarnation) return;
    // Beyond what anyone takes (membership.ts, incarnation bounds): nobody holds it, nothing to
    // refute, and a refutation above it would itself be refused by every agent.
    if (m.inc >= MAX_INCARNATION || m.inc > this.incarnation + MAX_INCARNATION_STEP)
      return this.note({ kind: 'dropped', reason: 'incarnation-jump', from: this.source });
    this.refute(m.inc, m.type === M.MsgType.Alive || m.type === M.MsgType.Left ? m.name : m.from, now, previousLife);
  }

  /**
   * An alive claim of our name at another address, at or above our incarnation: two agents with
   * one name (or a forged move). The one the cluster holds (members probe it: we were pinged by
   * name lately) refutes, staying ahead of the claim. The other does not answer, so the two never
   * race each other's incarnations; should the holder be a stale row of a previous life of ours
   * that moved, it is declared dead, we hear that and refute it. Returns true when we must not refute.
   */
  private nameConflict(m: M.Alive, now: number): boolean {
    const held = now - this.lastPingedAt <= 5 * this.config.probeIntervalMs;
    // A forger can send such a claim in every packet: answer (and log) the first from an address,
    // then fewer and fewer. Members that hold us never move us anyway (precedence.ts), and a
    // member misled by a claim suspects us at its incarnation, which we refute as any suspicion.
    if (!this.selfConflicts.allow(m.addr, now)) return true;
    this.note({
      kind: 'name-conflict',
      name: this.name,
      holder: held ? this.address : m.addr,
      claimant: held ? m.addr : this.address,
      role: held ? 'holder' : 'claimant',
    });
    return !held;
  }

  /** A join answered: announce ourselves once, so every agent hears when this process life began. */
  private joinAnswered(from: Address, now: number): void {
    this.joiner.answered(from);
    if (this.announcedAfterJoin || this.state !== 'running') return;
    this.announcedAfterJoin = true;
    this.announceSelf(now);
  }

  private refute(accusedInc: number, accusedBy: string, now: number, previousLife = false): void {
    this.incarnation = Math.max(this.incarnation, accusedInc) + 1;
    if (previousLife) this.born = this.incarnation;
    // Lifeguard: being suspected hints that our own packets are slow to get out.
    this.awareness.apply(1);
    this.note({ kind: 'refuted', incarnation: this.incarnation, accusedBy });
    this.announceSelf(now);
  }

  private announceSelf(now: number): void {
    const previous = this.table.get(this.name)!;
    const sameTags = sameWireTags(this.wireTags, previous.wireTags);
    const row = this.table.set({
      ...previous,
      state: 'alive',
      incarnation: this.incarnation,
      wireTags: this.wireTags,
      tags: sameTags ? previous.tags : tagsFromWire(this.wireTags),
      stateChangedAt: previous.state === 'alive' ? previous.stateChangedAt : now,
    });
    if (!sameTags) this.emit({ type: 'update', member: row, previous: previous.state });
    this.queueUpdate(this.ownClaim());
  }

  private ownClaim(): M.Alive {
    return M.alive(this.name, this.address, this.incarnation, this.wireTags, this.born);
  }

  // ---- dissemination -------------------------------------------------------------------------

  private queueUpdate(m: M.Update): void {
    this.news.queue(m);
  }

  private dispatch(o: Outgoing): void {
    this.send(o.to, o.primary, o.companion);
  }

  /** Send one message (and an optional companion) with as much news behind as fits (dissemination.ts). */
  private send(to: Address, primary: M.Message, companion?: M.Message): void {
    this.out.push({ type: 'send', to, messages: this.news.packet(to, primary, companion) });
  }

  private gossip(now: number): void {
    for (const p of this.news.round(now)) this.out.push({ type: 'send', to: p.to, messages: p.messages });
  }

  private maintenanceIntervalMs(): number {
    return this.config.reconnectIntervalMs > 0 ? this.config.reconnectIntervalMs : 10_000;
  }

  // ---- leave and tags ------------------------------------------------------------------------

  private startLeave(now: number): void {
    if (this.state !== 'running') return;
    // Our `left` goes one above our incarnation, and receivers take a `left` only below the top
    // (an accusation there could not be refuted): at the top, nobody would take it. Stop without
    // one, and say why; others see us fail.
    if (!incarnationAllowed('left', this.incarnation + 1, this.incarnation)) return this.stopUnannounced(now);
    this.state = 'leaving';
    this.prober.dropProbe();
    this.joiner.cancel();
    this.incarnation++;
    const previous = this.table.get(this.name)!;
    const row = this.table.set({ ...previous, state: 'left', incarnation: this.incarnation, stateChangedAt: now });
    this.emit({ type: 'left', member: row, previous: previous.state });
    this.queueUpdate(M.left(this.name, this.incarnation));
    this.leaveDeadline = now + this.config.leaveTimeoutMs;
    this.nextGossipAt = now;
    this.gossip(now);
    this.nextGossipAt = now + this.config.gossipIntervalMs;
    this.checkLeaveDone(now);
  }

  private stopUnannounced(now: number): void {
    this.note({ kind: 'incarnation-exhausted', action: 'leave', incarnation: this.incarnation });
    this.prober.dropProbe();
    this.joiner.cancel();
    const previous = this.table.get(this.name)!;
    const row = this.table.set({ ...previous, state: 'left', stateChangedAt: now });
    this.emit({ type: 'left', member: row, previous: previous.state });
    this.state = 'stopped';
    this.queries.stop();
    this.out.push({ type: 'left' });
  }

  private checkLeaveDone(now: number): void {
    const sent = this.news.transmitsOf(this.name);
    const wanted = Math.min(this.news.retransmitLimit(), 2 * this.config.gossipNodes);
    const alone = this.table.liveCount <= 0;
    if (alone || sent === undefined || sent >= wanted || now >= this.leaveDeadline) {
      this.state = 'stopped';
      this.queries.stop();
      this.out.push({ type: 'left' });
    }
  }

  /**
   * Serf's force-leave: a member we hold failed becomes left at the incarnation it died with,
   * and the `left` spreads as the member's own would. Only a failed member, as Serf: a live one
   * is the protocol's to judge. Receivers take it where they hold the member dead at that
   * incarnation (left outranks dead); one that holds it live there drops it (onUpdate). A member
   * that runs after all, or comes back later, refutes with a higher incarnation. `prune` forgets
   * the row at once, here and on every agent that holds the member departed (the `left` carries
   * the prune flag), instead of after reapLeftAfterMs.
   */
  private forceLeave(name: string, prune: boolean, now: number): void {
    const known = this.table.get(name);
    if (!known || name === this.name || known.state !== 'dead' || this.state !== 'running') return;
    const claim = M.left(name, known.incarnation, prune);
    if (prune) this.prune(claim, now);
    else this.emit(this.table.apply({ name, state: 'left', incarnation: known.incarnation }, now).event);
    this.queueUpdate(claim);
  }

  /** Forget a departed member at once (a force-leave with prune), and refuse its departed rows from peers that have not yet. */
  private prune(m: M.Left, now: number): void {
    this.emit(this.table.apply({ name: m.name, state: 'left', incarnation: m.inc }, now).event);
    this.suspicions.clear(m.name);
    this.vetting.forget(m.name);
    this.table.delete(m.name);
    this.pruned.add(m.name, m.inc, now);
    this.note({ kind: 'reaped', name: m.name });
  }

  private setTags(tags: Tags, now: number): void {
    if (this.state !== 'running') return;
    // A tag change rides a new incarnation; at the top there is none that every agent takes.
    if (!this.canRaiseIncarnation) return this.note({ kind: 'incarnation-exhausted', action: 'set-tags', incarnation: this.incarnation });
    this.wireTags = tagsToWire(tags);
    this.incarnation++;
    this.announceSelf(now);
  }

  // ---- outputs -------------------------------------------------------------------------------

  private emit(event: MemberEvent | null): void {
    if (event) this.out.push({ type: 'event', event });
  }

  private note(note: Note): void {
    if (note.kind === 'reaped') this.coords?.vivaldi.forget(note.name);
    this.out.push({ type: 'note', note });
  }
}
