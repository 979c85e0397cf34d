/**
 * Many agents in one process, in virtual time: each one the node production runs, built by the
 * same composition root (agent/node.ts: router, envelope, member guard, observer, Driver, core),
 * over a simulated network that delivers through each agent's Transport.onPacket. Seeded: the
 * same seed and the same calls give the same trace.
 *
 * Faults: loss, latency and jitter per link, one-way and two-way partitions, flapping links,
 * crashes, restarts under the same name, graceful leaves, and pauses (a GC or event-loop stall:
 * the agent neither receives nor sends; on resume its overdue timer and what queued run, in
 * either order, as libuv may run them).
 */
import { resolveConfig, type ProfileName, type ProtocolConfig } from '../config.js';
import type { Driver } from '../agent/driver.js';
import { createNode, type Node, type NodeSecurity } from '../agent/node.js';
import { ClusterError } from '../errors.js';
import type { IncomingQuery, UserEventData } from '../core/io.js';
import { isLive, type Address, type MemberEvent, type MemberEventType, type MemberState, type Tags } from '../core/types.js';
import type { MembershipSource } from '../membership-source.js';
import { SeededRandom } from '../runtime/random.js';
import type { Scheduler } from '../runtime/scheduler.js';
import type { Clock } from '../runtime/clock.js';
import { membershipChecksum } from '../runtime/checksum.js';
import type { Transport } from '../transport/transport.js';
import type { Codec } from '../wire/codec.js';
import { createCookieHash } from '../wire/cookie.js';
import { EventQueue, type Timed } from './event-queue.js';
import { DetectionTracker, type FalsePositive, type Report } from './measures.js';
import { FNV_OFFSET, fnv1a } from '../core/hash.js';
import { TypedEmitter } from '../runtime/emitter.js';
import { SimNetwork, type LinkSettings } from './network.js';

/**
 * More wake-ups of one agent in one virtual ms than any protocol needs (a tick handles all that
 * is due), or more events of all kinds in one virtual ms than 10,000 agents would send: a spin.
 */
const MAX_WAKES_PER_MS = 1000;
const MAX_EVENTS_PER_MS = 2_000_000;

/** The wall-clock date (ms since 1970) at virtual time 0: 2026-01-01T00:00:00Z. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface SimulationOptions {
  nodes: number;
  seed?: number;
  profile?: ProfileName;
  /** Protocol overrides on top of the profile. */
  config?: Partial<ProtocolConfig>;
  /** Mean one-way latency (ms); default 3. */
  latencyMs?: number;
  /** Latency varies by ± this (ms); default 2, so links take 1–5 ms. */
  jitterMs?: number;
  /** Drop probability on every link; default 0. */
  loss?: number;
  /** Tags of agent i. */
  tags?: (index: number) => Tags;
  /** Keep every membership event in `trace` (costly for big runs). */
  keepTrace?: boolean;
  /**
   * Keys, label and verify switches of agent i, called at each (re)start; default none. Each
   * agent is built by the production composition root (agent/node.ts), so the envelope, the
   * member guard, the wire router and the observer run here as in production.
   */
  security?: (index: number) => NodeSecurity | undefined;
  /** Member table cap of every agent (the agent's maxMembers); default 16,384. */
  maxMembers?: number;
  /** How far agent i's wall clock (seals, key requests) is ahead of the others (ms; negative: behind). Default 0. */
  clockSkewMs?: (index: number) => number;
  /**
   * @deprecated Use `security`. The packet codec of agent i, called at each (re)start; it
   * replaces the envelope and the plain codec under the member guard (the guard, router and
   * observer still run).
   */
  codec?: (index: number) => Codec;
  /** Hear every datagram an agent sends (to any address, also ones nobody listens at). */
  onSend?: (from: string, to: Address, bytes: Uint8Array) => void;
  /**
   * What a paused agent runs first when it resumes: its overdue timer or the packets that queued.
   * libuv does either, depending on where in its loop the stall began; default `either`, a
   * seeded choice at each resume.
   */
  resumeOrder?: ResumeOrder;
  /** Name of agent i; default `n${i}`. Two agents may share one (a name-conflict scenario). */
  names?: (index: number) => string;
}

export type ResumeOrder = 'timers-first' | 'packets-first' | 'either';

/** One membership change seen by one agent. */
export interface TraceEntry {
  atMs: number;
  observer: string;
  type: MemberEvent['type'];
  subject: string;
  incarnation: number;
}

type SimEvent = Timed &
  (
    | { kind: 'packet'; to: number; from: Address; bytes: Uint8Array; epoch: number }
    | { kind: 'wake'; agent: number; gen: number }
    | { kind: 'resume'; agent: number }
    | { kind: 'call'; fn: () => void }
  );

interface AgentSlot {
  readonly index: number;
  readonly name: string;
  readonly address: Address;
  /** The running node (built by the composition root), and its Driver for the hot paths. */
  node: Node | undefined;
  driver: Driver | undefined;
  /** What the node's transport hands incoming datagrams to (set through Transport.onPacket). */
  receive: (from: Address, bytes: Uint8Array) => void;
  /** A bare endpoint (endpoint()) holds the address. */
  bare: boolean;
  /** Bumped at every crash and restart: packets in flight to an old life are lost. */
  epoch: number;
  pausedUntil: number;
  inbox: { from: Address; bytes: Uint8Array }[];
  wakeGen: number;
  wakeAt: number;
  /** The deadline the agent last asked for (before clamping to now), to name it in a spin. */
  askedAt: number;
  /** Wake-ups at the current virtual ms: many means the agent's deadline does not move. */
  wakesAtClock: number;
  wakeFn: (() => void) | undefined;
  wakeDue: boolean;
  startedAt: number;
  killed: boolean;
  totals: { messages: number; bytes: number; packets: number };
}

/**
 * Agent i's address: a loopback IPv4 literal and the default port, so addresses pass the same
 * checks as on a real network (they never reach a socket). Distinct for up to 16 million agents.
 */
export function simulatedAddress(i: number): Address {
  const k = i + 1;
  return `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}:7946`;
}

export class Simulation {
  readonly options: Required<Omit<SimulationOptions, 'tags' | 'config' | 'codec' | 'onSend' | 'names' | 'security' | 'maxMembers' | 'clockSkewMs'>> &
    Pick<SimulationOptions, 'tags' | 'config' | 'codec' | 'onSend' | 'names' | 'security' | 'maxMembers' | 'clockSkewMs'>;
  readonly config: ProtocolConfig;
  readonly trace: TraceEntry[] = [];
  private readonly random: SeededRandom;
  /** Coin for the resume order: its own stream, so pauses do not shift any other draw. */
  private readonly resumeCoin: SeededRandom;
  private readonly network: SimNetwork;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly slots: AgentSlot[] = [];
  private readonly byAddress = new Map<Address, number>();
  private readonly byName = new Map<string, number>();
  private readonly detection = new DetectionTracker();
  private readonly falsePositives: FalsePositive[] = [];
  private readonly listeners: ((observer: string, event: MemberEvent, now: number) => void)[] = [];
  private readonly userListeners: ((observer: string, event: UserEventData, now: number) => void)[] = [];
  private queryHandler: ((observer: string, query: IncomingQuery, now: number) => Uint8Array | undefined) | undefined;
  private clock = 0;
  private eventsAtClock = 0;
  /** Agents woken at the current virtual ms. */
  private readonly spinning = new Set<AgentSlot>();
  private traceHash = FNV_OFFSET;
  private lastStartAt = 0;
  private pendingStarts = 0;
  private convergedAt: number | null = null;
  private steadyFrom: { at: number; messages: number; bytes: number; packets: number } | null = null;
  private readonly wallStart = performance.now();
  /** Every agent's wall clock (seals, key requests): virtual too, from a fixed date, so runs replay. */
  private readonly wallClock = (): number => SIM_EPOCH_MS + this.clock;

  constructor(options: SimulationOptions) {
    if (!Number.isInteger(options.nodes) || options.nodes < 0) throw new ClusterError('ERR_ARGUMENT', `nodes must be an integer >= 0, got ${options.nodes}`);
    this.options = {
      seed: 1,
      profile: 'lan',
      latencyMs: 3,
      jitterMs: 2,
      loss: 0,
      keepTrace: false,
      resumeOrder: 'either',
      ...options,
    };
    const { latencyMs, jitterMs, loss } = this.options;
    if (!(loss >= 0 && loss <= 1)) throw new ClusterError('ERR_ARGUMENT', `loss must be in [0, 1], got ${loss}`);
    if (!(latencyMs >= 0) || !(jitterMs >= 0)) throw new ClusterError('ERR_ARGUMENT', 'latencyMs and jitterMs must be >= 0');
    this.config = resolveConfig(this.options.config ?? {}, this.options.profile);
    this.random = new SeededRandom(this.options.seed);
    this.resumeCoin = new SeededRandom((this.options.seed ^ 0x5e5e5e5e) >>> 0);
    this.network = new SimNetwork(options.nodes, { latencyMs, jitterMs, loss }, this.random.fork(0xbeef));
    for (let i = 0; i < options.nodes; i++) this.addSlot(options.names?.(i) ?? `n${i}`);
  }

  private addSlot(name: string): AgentSlot {
    const index = this.slots.length;
    const slot: AgentSlot = {
      index,
      name,
      address: simulatedAddress(index),
      node: undefined,
      driver: undefined,
      receive: ignorePacket,
      bare: false,
      epoch: 0,
      pausedUntil: 0,
      inbox: [],
      wakeGen: 0,
      wakeAt: Infinity,
      askedAt: Infinity,
      wakesAtClock: 0,
      wakeFn: undefined,
      wakeDue: false,
      startedAt: -1,
      killed: false,
      totals: { messages: 0, bytes: 0, packets: 0 },
    };
    this.slots.push(slot);
    this.byAddress.set(slot.address, index);
    this.byName.set(name, index);
    this.network.grow(this.slots.length);
    return slot;
  }

  /**
   * A new agent under a new name (default `n<index>`) at a new address, not started. Returns its
   * index. For churn of unique names: a name is never reused, so each newcomer is a stranger.
   */
  add(name?: string): number {
    const index = this.slots.length;
    const n = name ?? `n${index}`;
    if (this.byName.has(n)) throw new ClusterError('ERR_ARGUMENT', `agent name ${JSON.stringify(n)} is taken (agent ${this.byName.get(n)})`);
    this.addSlot(n);
    return index;
  }

  /** Virtual time (ms). */
  get now(): number {
    return this.clock;
  }
  /** Virtual time and one-shot timers on it, for parts outside the agents (Cluster.attach's `clock`). */
  virtualClock(): Clock {
    return {
      now: () => this.clock,
      after: (ms, fn) => {
        let armed = true;
        this.at(this.clock + ms, () => {
          if (armed) fn();
        });
        return () => void (armed = false);
      },
    };
  }
  /** Every agent's wall clock (ms since 1970): SIM_EPOCH_MS + virtual time. Seal forged packets with it. */
  wallNow(): number {
    return this.wallClock();
  }
  /** Agent i's wall clock: the shared one, or its own with a skew. */
  private wallClockOf(i: number): () => number {
    const skew = this.options.clockSkewMs?.(i) ?? 0;
    return skew === 0 ? this.wallClock : () => SIM_EPOCH_MS + this.clock + skew;
  }
  get size(): number {
    return this.slots.length;
  }
  name(i: number): string {
    return this.slot(i).name;
  }
  /** Agent i's address on the simulated network (see simulatedAddress). */
  address(i: number): Address {
    return this.slot(i).address;
  }
  /** The driver of a running agent (its core, stats and members). */
  agent(i: number): Driver {
    const d = this.slot(i).driver;
    if (!d) throw new ClusterError('ERR_NOT_RUNNING', `agent ${i} is not running`);
    return d;
  }
  /** The whole node of a running agent: its Driver, observer (counters), router, envelope, keys. */
  node(i: number): Node {
    const n = this.slot(i).node;
    if (!n) throw new ClusterError('ERR_NOT_RUNNING', `agent ${i} is not running`);
    return n;
  }
  isRunning(i: number): boolean {
    return this.slot(i).driver !== undefined;
  }
  /** Indices of running agents. */
  running(): number[] {
    return this.slots.filter((s) => s.driver).map((s) => s.index);
  }
  /** The state agent `observer` holds for agent `subject`, or undefined if unknown. */
  view(observer: number, subject: number): MemberState | undefined {
    return this.agent(observer).core.member(this.slot(subject).name)?.state;
  }
  /**
   * Agent i as a membership source, for the Cluster facade: its members and its own events.
   * The source follows the agent across restarts under the same name.
   */
  source(i: number): MembershipSource {
    const name = this.slot(i).name;
    const events = new TypedEmitter<{ [K in MemberEventType]: MemberEvent } & { user: UserEventData }>();
    this.onEvent((observer, e) => {
      if (observer === name) events.emit(e.type, e);
    });
    this.onUserEvent((observer, e) => {
      if (observer === name) events.emit('user', e);
    });
    return {
      name,
      members: () => (this.isRunning(i) ? this.agent(i).members() : []),
      on: (type, fn) => events.on(type, fn),
      awareness: () => (this.isRunning(i) ? this.agent(i).core.counters().awareness : 0),
      event: (eventName, payload, coalesce) => this.agent(i).event(eventName, payload, coalesce),
      onUserEvent: (fn) => events.on('user', fn),
      leave: async () => this.leave(i),
      shutdown: async () => this.kill(i),
    };
  }

  /**
   * Hand agent i a datagram now, as its transport would (through the wire router, then the node's
   * codec stack): for tests that forge packets. Ignored when the agent is not running.
   */
  deliver(i: number, from: Address, bytes: Uint8Array): void {
    const s = this.slot(i);
    if (s.driver) s.receive(from, bytes);
  }

  /**
   * A bare datagram endpoint at agent i's address, with no node on it: the simulated network
   * (latency, jitter, loss, partitions, flaps) as a Transport, for the transport contract suite
   * and for tests that play a raw peer. Nothing moves until virtual time runs (run()). Datagrams
   * are copied on send, as the contract asks; a node's own transport skips the copy, since a node
   * never reuses a buffer it has sent. Closing the endpoint frees the slot, as a crash.
   */
  endpoint(i: number): Transport {
    const s = this.slot(i);
    if (s.driver || s.bare) throw new ClusterError('ERR_ARGUMENT', `agent ${i} is already running or has an endpoint`);
    s.bare = true;
    s.epoch++;
    s.receive = ignorePacket;
    let open = true;
    return {
      address: s.address,
      send: (to, bytes) => {
        if (open) this.transmit(s, to, Uint8Array.prototype.slice.call(bytes));
      },
      onPacket: (h) => {
        if (open) s.receive = h;
      },
      close: async () => {
        if (!open) return;
        open = false;
        s.bare = false;
        s.receive = ignorePacket;
        s.epoch++;
      },
    };
  }

  /** Hear every membership change of every agent. */
  onEvent(fn: (observer: string, event: MemberEvent, now: number) => void): void {
    this.listeners.push(fn);
  }

  /**
   * How every agent answers queries (ask one with `agent(i).query(...)`): return the response,
   * or undefined for none. Answers are sent at once.
   */
  answerQueries(fn: (observer: string, query: IncomingQuery, now: number) => Uint8Array | undefined): void {
    this.queryHandler = fn;
  }

  /** Hear every user event each agent delivers (send one with `agent(i).event(...)`). */
  onUserEvent(fn: (observer: string, event: UserEventData, now: number) => void): void {
    this.userListeners.push(fn);
  }

  // ---- starting and stopping -----------------------------------------------------------------

  /** Start agent i now (not joined). */
  start(i: number, incarnation = 0): Driver {
    const s = this.slot(i);
    if (s.driver || s.bare) throw new ClusterError('ERR_ARGUMENT', `agent ${i} is already running or has an endpoint`);
    s.epoch++;
    s.killed = false;
    s.pausedUntil = 0;
    s.inbox = [];
    s.startedAt = this.clock;
    this.lastStartAt = Math.max(this.lastStartAt, this.clock);
    this.convergedAt = null;
    s.receive = ignorePacket;
    const transport: Transport = {
      address: s.address,
      send: (to, bytes) => this.transmit(s, to, bytes),
      onPacket: (h) => void (s.receive = h),
      close: async () => {},
    };
    const scheduler: Scheduler = {
      now: () => this.clock,
      wakeAt: (t, fn) => this.scheduleWake(s, t, fn),
      cancel: () => {
        s.wakeGen++;
        s.wakeAt = Infinity;
      },
    };
    const name = s.name;
    const agentRandom = this.random.fork(i * 7919 + s.epoch);
    // The cookie secret comes from the seed too, so runs stay reproducible.
    const secret = Uint8Array.from({ length: 32 }, () => agentRandom.int(256));
    const security = this.options.security?.(i);
    const codec = this.options.codec?.(i);
    const totals = s.totals;
    const node = createNode(
      {
        name,
        tags: this.options.tags?.(i) ?? {},
        incarnation,
        config: this.config,
        ...(security ? { security } : {}),
        ...(this.options.maxMembers !== undefined ? { limits: { maxMembers: this.options.maxMembers } } : {}),
      },
      {
        transport,
        scheduler,
        random: agentRandom,
        wallClock: this.wallClockOf(i),
        ...(codec ? { codec } : {}),
        // One decoding of a gossiped update for every agent of the run (codec.ts, shareDecoded).
        shareDecoded: true,
        cookieHash: createCookieHash(secret),
        // Messages are counted as the node encoded them: a sealed packet's header is ciphertext.
        onSend: (_to, _bytes, messages) => void (totals.messages += messages),
        onEvent: (e) => this.observe(s, e),
        onUserEvent: (e) => {
          for (const l of this.userListeners) l(name, e, this.clock);
        },
        onQuery: (q, respond) => {
          const answer = this.queryHandler?.(name, q, this.clock);
          if (answer) respond(answer);
        },
      },
    );
    s.node = node;
    s.driver = node.driver;
    return node.driver;
  }

  /**
   * Start every agent not yet running within `spreadMs` (default 1 s; the seeds first, at once)
   * and join each through a seed: `seed` (default agent 0), or one of `seeds` picked at random.
   * Returns when all starts are scheduled; use run() to let time pass.
   */
  joinAll(opts: { seed?: number; seeds?: readonly number[]; spreadMs?: number } = {}): void {
    const seeds = opts.seeds ?? [opts.seed ?? 0];
    if (seeds.length === 0) throw new ClusterError('ERR_ARGUMENT', 'joinAll: seeds must name at least one agent');
    for (const i of seeds) this.slot(i);
    const spread = opts.spreadMs ?? 1000;
    if (!(spread >= 0)) throw new ClusterError('ERR_ARGUMENT', `joinAll: spreadMs must be >= 0, got ${spread}`);
    // The seeds start now and join each other; everyone else within `spread`, each through one
    // seed picked at random (a seed list spreads the bootstrap load; asking every seed would
    // move every new member's full table once per seed).
    const [first] = seeds as [number];
    for (const i of seeds) if (!this.isRunning(i)) this.start(i);
    for (const i of seeds) if (i !== first) this.join(i, [first]);
    for (const s of this.slots) {
      if (s.driver || seeds.includes(s.index)) continue;
      const at = this.clock + this.random.int(Math.max(1, spread));
      const through = seeds.length === 1 ? first : seeds[this.random.int(seeds.length)]!;
      this.joinAt(s.index, at, [through]);
    }
  }

  /**
   * Start agent i at virtual time `at` and join it through `through` (none: start only). Until
   * then the cluster does not count as converged. Nothing happens if it is running by then.
   */
  joinAt(i: number, at: number, through: readonly number[]): void {
    const s = this.slot(i);
    this.pendingStarts++;
    this.at(at, () => {
      this.pendingStarts--;
      if (s.driver) return;
      this.start(s.index);
      if (through.length > 0) this.join(s.index, through);
    });
  }

  /** Join agent i through the given agents. Failures are recorded in joinErrors. */
  join(i: number, through: readonly number[]): void {
    this.agent(i).join(
      through.map((t) => this.slot(t).address),
      (r) => {
        if (!r.ok) this.joinErrors.push({ agent: this.slot(i).name, atMs: this.clock, error: r.error.message });
      },
    );
  }
  readonly joinErrors: { agent: string; atMs: number; error: string }[] = [];

  /** Crash agent i: it stops at once, without a word. */
  kill(i: number): void {
    const s = this.slot(i);
    if (!s.driver) return;
    this.retire(s);
    s.killed = true;
    this.detection.killed(s.name, this.clock);
  }

  /** Restart agent i under the same name (a fresh process: incarnation 0) and join through `through`. */
  restart(i: number, through?: readonly number[]): void {
    const s = this.slot(i);
    if (s.driver) this.retire(s);
    this.detection.forget(s.name);
    this.start(i);
    const seeds =
      through ??
      this.running()
        .filter((j) => j !== i)
        .slice(0, 1);
    if (seeds.length > 0) this.join(i, seeds);
  }

  /** Graceful leave of agent i; it stops once `left` has spread (bounded by leaveTimeoutMs). */
  leave(i: number): void {
    const s = this.slot(i);
    const d = s.driver;
    if (!d) return;
    d.leave(() => {
      if (s.driver === d) this.retire(s);
    });
  }

  /** Stall agent i for `ms`: no receiving, no sending, no timers; then everything at once. */
  pause(i: number, ms: number): void {
    const s = this.slot(i);
    s.pausedUntil = Math.max(s.pausedUntil, this.clock + ms);
    this.queue.push({ time: s.pausedUntil, kind: 'resume', agent: i });
  }

  // ---- network faults ------------------------------------------------------------------------

  /** Cut traffic between groups of agents; oneWay cuts only groups[0] -> the others. */
  partition(groups: readonly (readonly number[])[], oneWay = false): void {
    this.network.partition(groups, oneWay, this.clock);
  }
  /** Remove every partition and flap. */
  heal(): void {
    this.network.heal();
  }
  /** Set loss and latency for traffic from `from` to `to`. */
  link(from: readonly number[] | 'all', to: readonly number[] | 'all', settings: LinkSettings): void {
    this.network.link(from, to, settings, this.clock);
  }
  /** Cut from -> to for periodMs, restore for periodMs, and so on until heal(). */
  flap(from: readonly number[] | 'all', to: readonly number[] | 'all', periodMs: number): void {
    this.network.flap(from, to, periodMs, this.clock);
  }

  // ---- running -------------------------------------------------------------------------------

  /** Call fn at virtual time t. */
  at(t: number, fn: () => void): void {
    this.queue.push({ time: Math.max(t, this.clock), kind: 'call', fn });
  }

  /** Let `ms` of virtual time pass. */
  run(ms: number): void {
    this.runTo(this.clock + ms);
  }

  /** Run until pred() holds (checked every `checkEveryMs`) or `maxMs` passed. Returns whether it held. */
  runUntil(pred: () => boolean, maxMs: number, checkEveryMs = 100): boolean {
    const end = this.clock + maxMs;
    while (this.clock < end) {
      if (pred()) return true;
      this.runTo(Math.min(end, this.clock + checkEveryMs));
    }
    return pred();
  }

  /** Run until every live agent lists every live agent alive; returns the convergence time or null. */
  runUntilConverged(maxMs: number, checkEveryMs = 100): number | null {
    this.runUntil(() => this.checkConverged(), maxMs, checkEveryMs);
    return this.joinConvergenceMs();
  }

  private runTo(end: number): void {
    while (this.queue.peekTime() <= end) {
      const e = this.queue.pop()!;
      if (e.time > this.clock) this.newMillisecond(e.time);
      this.dispatch(e);
    }
    if (end > this.clock) this.newMillisecond(end);
  }

  private newMillisecond(t: number): void {
    this.clock = t;
    this.eventsAtClock = 0;
    for (const s of this.spinning) s.wakesAtClock = 0;
    this.spinning.clear();
  }

  /**
   * A spin: virtual time stands still while events keep coming. A real agent would burn its
   * event loop; a simulation would never end. Fail loudly, naming who and what did not move.
   */
  private countEvent(e: SimEvent): void {
    if (++this.eventsAtClock <= MAX_EVENTS_PER_MS) {
      if (e.kind !== 'wake') return;
      const s = this.slots[e.agent]!;
      this.spinning.add(s);
      if (++s.wakesAtClock <= MAX_WAKES_PER_MS) return;
      throw new ClusterError(
        'ERR_SIM_SPIN',
        `agent ${s.name} spins: woken ${s.wakesAtClock} times at ${this.clock} ms, its next deadline (${s.askedAt} ms) does not move past the tick that handled it`,
      );
    }
    const worst = [...this.spinning].sort((a, b) => b.wakesAtClock - a.wakesAtClock)[0];
    const who = worst ? `; agent ${worst.name} woke most (${worst.wakesAtClock} times, deadline ${worst.askedAt} ms)` : '';
    throw new ClusterError('ERR_SIM_SPIN', `virtual time stands still: ${this.eventsAtClock} events at ${this.clock} ms${who}`);
  }

  private dispatch(e: SimEvent): void {
    this.countEvent(e);
    switch (e.kind) {
      case 'call':
        e.fn();
        return;
      case 'wake': {
        const s = this.slots[e.agent]!;
        if (e.gen !== s.wakeGen || !s.driver) return;
        if (this.clock < s.pausedUntil) {
          s.wakeDue = true;
          return;
        }
        s.wakeAt = Infinity;
        s.wakeFn?.();
        return;
      }
      case 'packet': {
        const s = this.slots[e.to]!;
        // A retired agent or closed endpoint has a new epoch: what was in flight to it is lost.
        if (s.epoch !== e.epoch) return;
        if (this.clock < s.pausedUntil) {
          s.inbox.push({ from: e.from, bytes: e.bytes });
          return;
        }
        s.receive(e.from, e.bytes);
        return;
      }
      case 'resume': {
        const s = this.slots[e.agent]!;
        if (this.clock < s.pausedUntil || !s.driver) return;
        const order = this.options.resumeOrder;
        const timersFirst = order === 'timers-first' || (order === 'either' && this.resumeCoin.next() < 0.5);
        if (timersFirst) this.fireOverdueWake(s);
        const inbox = s.inbox;
        s.inbox = [];
        for (const p of inbox) if (s.driver) s.receive(p.from, p.bytes);
        // Packets first: the timer the driver asked for meanwhile is due now, and runs next.
        if (!timersFirst) this.fireOverdueWake(s);
        return;
      }
    }
  }

  private fireOverdueWake(s: AgentSlot): void {
    if (!s.wakeDue || !s.driver) return;
    s.wakeDue = false;
    s.wakeAt = Infinity;
    s.wakeFn?.();
  }

  private scheduleWake(s: AgentSlot, t: number, fn: () => void): void {
    s.wakeFn = fn;
    s.askedAt = t;
    if (!Number.isFinite(t)) {
      s.wakeGen++;
      s.wakeAt = Infinity;
      return;
    }
    const time = Math.max(t, this.clock);
    if (time === s.wakeAt) return;
    s.wakeGen++;
    s.wakeAt = time;
    this.queue.push({ time, kind: 'wake', agent: s.index, gen: s.wakeGen });
  }

  private transmit(s: AgentSlot, to: Address, bytes: Uint8Array): void {
    this.options.onSend?.(s.name, to, bytes);
    s.totals.packets++;
    s.totals.bytes += bytes.length;
    if (this.clock < s.pausedUntil) return;
    const j = this.byAddress.get(to);
    if (j === undefined) return;
    const delay = this.network.delivery(s.index, j, this.clock);
    if (delay === undefined) return;
    const target = this.slots[j]!;
    this.queue.push({ time: this.clock + delay, kind: 'packet', to: j, from: s.address, bytes, epoch: target.epoch });
  }

  private retire(s: AgentSlot): void {
    s.node?.close();
    s.node = undefined;
    s.driver = undefined;
    s.receive = ignorePacket;
    s.wakeGen++;
    s.wakeAt = Infinity;
    s.inbox = [];
    s.epoch++;
  }

  private observe(s: AgentSlot, e: MemberEvent): void {
    const now = this.clock;
    // The hash of the line `${now}|${observer}|${type}|${subject}|${incarnation}\n`, folded piece
    // by piece: a join burst has N² events, and building each line was a string per event.
    let h = fnv1a(this.traceHash, String(now));
    h = fnv1a(fnv1a(h, '|'), s.name);
    h = fnv1a(fnv1a(h, '|'), e.type);
    h = fnv1a(fnv1a(h, '|'), e.member.name);
    this.traceHash = fnv1a(fnv1a(h, '|'), `${e.member.incarnation}\n`);
    if (this.options.keepTrace) this.trace.push({ atMs: now, observer: s.name, type: e.type, subject: e.member.name, incarnation: e.member.incarnation });
    if (e.type === 'failed') {
      const subject = this.byAddress.get(e.member.address) ?? this.byAddress.get(e.member.name);
      if (subject !== undefined && this.slots[subject]!.driver && !s.killed) this.falsePositives.push({ atMs: now, observer: s.name, subject: e.member.name });
    }
    this.detection.observe(e, now, () => this.allMarkedDead(e.member.name));
    for (const l of this.listeners) l(s.name, e, now);
  }

  private allMarkedDead(name: string): boolean {
    for (const s of this.slots) {
      if (!s.driver || s.name === name) continue;
      const st = s.driver.core.stateOf(name);
      if (st !== undefined && isLive(st)) return false;
    }
    return true;
  }

  // ---- measuring -----------------------------------------------------------------------------

  /** Every running agent lists exactly the running agents alive (checked cheaply by counts first). */
  checkConverged(): boolean {
    if (this.pendingStarts > 0) return false;
    const live = this.slots.filter((s) => s.driver);
    for (const s of live) if (s.driver!.core.aliveCount !== live.length) return false;
    for (const s of live) for (const t of live) if (s.driver!.core.stateOf(t.name) !== 'alive') return false;
    if (this.convergedAt === null) {
      this.convergedAt = this.clock;
      this.steadyFrom = { at: this.clock, ...this.totals() };
    }
    return true;
  }

  /** From the last start to the first converged check; null if not converged since. */
  joinConvergenceMs(): number | null {
    return this.convergedAt === null ? null : Math.max(0, this.convergedAt - this.lastStartAt);
  }

  /** Membership checksum of each running agent. */
  checksums(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.slots) if (s.driver) out.set(s.name, membershipChecksum(s.driver.core.members()));
    return out;
  }

  private totals(): { messages: number; bytes: number; packets: number } {
    const t = { messages: 0, bytes: 0, packets: 0 };
    for (const s of this.slots) {
      t.messages += s.totals.messages;
      t.bytes += s.totals.bytes;
      t.packets += s.totals.packets;
    }
    return t;
  }

  /** Forget the load so far: measure steady state from now on. */
  markSteady(): void {
    this.steadyFrom = { at: this.clock, ...this.totals() };
  }

  report(): Report {
    const from = this.steadyFrom ?? { at: 0, messages: 0, bytes: 0, packets: 0 };
    const t = this.totals();
    const secs = Math.max(1e-9, (this.clock - from.at) / 1000);
    const live = this.running().length || 1;
    // Agreement by each table's digest (name:state:incarnation of every row, as the checksum):
    // O(1) per agent, where checksums() sorts every table (N² log N at 10,000 agents).
    const sums: number[] = [];
    for (const s of this.slots) if (s.driver) sums.push(s.driver.core.digest);
    const drops: Record<string, number> = {};
    const counters = { probesFailed: 0, suspicionsStarted: 0, suspicionsExpired: 0, refutations: 0 };
    for (const s of this.slots) {
      if (!s.node) continue;
      const c = s.node.observer.counters;
      for (const [k, v] of Object.entries(c.drops)) drops[k] = (drops[k] ?? 0) + v;
      counters.probesFailed += c.probesFailed;
      counters.suspicionsStarted += c.suspicionsStarted;
      counters.suspicionsExpired += c.suspicionsExpired;
      counters.refutations += c.refutations;
    }
    const subjects = new Set(this.falsePositives.map((f) => f.subject));
    return {
      nodes: this.slots.length,
      seed: this.options.seed,
      profile: this.options.profile,
      durationMs: this.clock,
      joinConvergenceMs: this.joinConvergenceMs(),
      detection: [...this.detection.detections.values()].map((d) => ({ ...d })),
      falsePositives: subjects.size,
      falsePositiveEvents: [...this.falsePositives],
      msgsPerNodePerSec: round((t.messages - from.messages) / secs / live),
      bytesPerNodePerSec: round((t.bytes - from.bytes) / secs / live),
      packetsPerNodePerSec: round((t.packets - from.packets) / secs / live),
      agreement: new Set(sums).size <= 1,
      distinctChecksums: new Set(sums).size,
      liveAgents: this.running().length,
      drops,
      counters,
      traceHash: this.traceHash.toString(16).padStart(8, '0'),
      wallMs: Math.round(performance.now() - this.wallStart),
      heapMB: Math.round(process.memoryUsage().heapUsed / 1048576),
    };
  }

  private slot(i: number): AgentSlot {
    const s = this.slots[i];
    if (!s) throw new ClusterError('ERR_ARGUMENT', `no agent ${i}: the simulation has agents 0..${this.slots.length - 1}`);
    return s;
  }
}

/** Where a packet to an agent between lives goes. */
function ignorePacket(): void {}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
