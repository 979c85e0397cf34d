/**
 * The production agent: the shared Driver on a UDP socket and the real clock, plus what an
 * operator needs around it: logs and counters (observe.ts), member history, the data-dir
 * snapshot, typed events. No protocol logic lives here.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { ProtocolConfig } from '../config.js';
import { ClusterError } from '../errors.js';
import type { Member, MemberEvent, MemberEventType, MemberState, Tags } from '../core/types.js';
import type { SwimCounters } from '../core/swim.js';
import type { UserEventData } from '../core/io.js';
import { EventCoalescer } from './coalesce.js';
import { ANY_QUERY, QueryStream, toQueryRequest, type QueryOptions } from './query-stream.js';
import type { IncomingQuery } from '../core/io.js';
import { RealScheduler } from '../runtime/scheduler.js';
import { SeededRandom } from '../runtime/random.js';
import { membershipChecksum } from '../runtime/checksum.js';
import { familyOf, formatHostPort, parseHostPort } from '../transport/address.js';
import { createUdpTransport, type UdpTransport } from '../transport/udp.js';
import { setupSecurity, type AgentSecurity } from './agent-security.js';
import type { KeyService, KeyOpResult } from './key-service.js';
import type { WireRouter } from './wire-router.js';
import type { Driver } from './driver.js';
import type { KeyOp } from './keys-protocol.js';
import { resolveAgentConfig, type AgentConfig, type AgentConfigInput, type LogLevel } from './agent-config.js';
import { LoopLagMonitor } from './loop-lag.js';
import { eventFields, TypedEmitter } from './events.js';
import { MemberHistory, type HistoryEntry } from './history.js';
import { createLogger, LEVEL_VALUES, levelName, levelOfLine, type Logger } from './log.js';
import { MonitorHub, type MonitorListener } from './monitor.js';
import { statusOf } from './history.js';
import { agentHealth, type AgentHealth, type AgentState } from './health.js';
import type { HistogramSnapshot } from './histogram.js';
import type { Observer, ObserverCounters } from './observe.js';
import { createNode, type Node } from './node.js';
import { ensurePrivateDir } from './private-file.js';
import { readSnapshot, rejoinAddresses, Snapshotter, type Snapshot } from './snapshot.js';
import { readTagsFile, tagsFilePath, writeTagsFile } from './tags-file.js';

/** A user event (`phantom event`, `agent.event`) as every agent's listeners hear it. */
export type UserEvent = UserEventData;

/**
 * Payload of each event type: membership events carry the member and its previous state;
 * `event` is a user event.
 */
export type AgentEvents = { [K in MemberEventType]: MemberEvent } & { event: UserEvent };

export type { QueryOptions } from './query-stream.js';

/** A query handed to a handler of ours (`onQuery`). */
export interface IncomingQueryEvent {
  readonly name: string;
  readonly payload: Uint8Array;
  /** The asking member. */
  readonly from: string;
  readonly ltime: number;
}

/** Answers a query: the response (a string is sent as UTF-8), or undefined for none. */
export type QueryHandler = (q: IncomingQueryEvent) => Uint8Array | string | undefined | undefined | Promise<Uint8Array | string | undefined | undefined>;

/** Extra start-up options that are not operator configuration. */
export interface AgentRuntimeOptions {
  /** Use this logger instead of building one from logLevel (tests, embedding). */
  readonly logger?: Logger;
  /** Pretty log lines; default when stdout is a TTY. */
  readonly prettyLogs?: boolean;
  /** Minimum time between two snapshot writes (ms). Default 1000. */
  readonly snapshotIntervalMs?: number;
  /** Where log lines go instead of stdout (tests). */
  readonly logWrite?: (line: string) => void;
  /** Wall clock (ms since 1970) for seals and key requests. Default Date.now; tests skew it. */
  readonly wallClock?: () => number;
}

/** Everything `stats()` reports. Counts since start. */
export interface AgentStats {
  readonly name: string;
  readonly address: string;
  readonly incarnation: number;
  readonly state: AgentState;
  /** Milliseconds since createAgent resolved. */
  readonly uptimeMs: number;
  readonly members: Record<MemberState, number>;
  /** Farmhash over the sorted name:state:incarnation list: equal on agents that agree. */
  readonly checksum: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly sendErrors: number;
  /** Lifeguard local health score (0 = healthy; higher = we are slow and stretch our probes). */
  readonly awareness: number;
  /** The core's own counters (probes, suspicions confirmed/refuted, nacks, stalls). */
  readonly core: SwimCounters;
  readonly snapshotWrites: number;
  readonly counters: ObserverCounters;
  /** Probe round trips and event-loop delay, in seconds (the /metrics histograms). */
  readonly histograms: { readonly probeRttSeconds: HistogramSnapshot; readonly loopDelaySeconds: HistogramSnapshot };
  /** Encryption and label in force, and the "wrong cluster" notices sent and heard. */
  readonly security: {
    readonly encrypted: boolean;
    readonly sealing: boolean;
    readonly verifyIncoming: boolean;
    readonly keys: number;
    readonly label: string;
    readonly noticesSent: number;
    readonly noticesHeard: number;
  };
}

export type { AgentHealth, AgentState } from './health.js';

export interface Agent {
  readonly name: string;
  /** The advertised `host:port` others reach us at. */
  readonly address: string;
  readonly config: AgentConfig;
  /** The snapshot read at start, if any (for `phantom info`). */
  readonly restoredFrom: Snapshot | undefined;
  /**
   * Join the cluster through seeds (`host:port`; names are resolved), plus the members of the
   * start-up snapshot the first time. Resolves with the number of seeds that answered; rejects
   * with ERR_JOIN_FAILED saying what to check.
   */
  join(seeds: readonly string[]): Promise<number>;
  /** Every member known, ourselves included, failed and left ones too. */
  members(): Member[];
  member(name: string): Member | undefined;
  /** Ourselves as others see us. */
  self(): Member;
  /** Recent history of one member, oldest first. */
  history(name: string): readonly HistoryEntry[];
  on<K extends MemberEventType>(type: K, fn: (e: AgentEvents[K]) => void): () => void;
  on<K extends keyof AgentEvents>(type: K, fn: (e: AgentEvents[K]) => void): () => void;
  /**
   * Follow the agent's log lines (kind `log`) and membership events (kind `member`): what
   * `GET /v1/events` streams. With `logLevel`, the agent logs at that level too while the
   * subscription lasts (as Serf's monitor, debug lines can be followed on an agent at info); its
   * own output stays at its level. Log lines come only from the agent's own logger, not from one
   * given in AgentRuntimeOptions. Returns the unsubscribe function.
   */
  monitor(fn: MonitorListener, opts?: { logLevel?: LogLevel }): () => void;
  /** The operator's log level (SIGHUP may change it); monitors may make the logger run lower. */
  readonly logLevel: LogLevel;
  /**
   * Send a user event to every member, ourselves included (as `phantom event` and Serf's
   * UserEvent). A string payload is sent as UTF-8. With `coalesce`, listeners may hear only the
   * latest of a burst of this name (userEventCoalesceMs). Throws ERR_ARGUMENT for a bad name,
   * ERR_PAYLOAD_TOO_LARGE over userEventMaxBytes (name + payload), ERR_NOT_RUNNING.
   */
  event(name: string, payload?: string | Uint8Array, opts?: { coalesce?: boolean }): void;
  /**
   * Ask the cluster (as `phantom query` and Serf's Query): the result iterates over acks and
   * responses as they arrive and ends at the timeout; `done` resolves then with all of them.
   * Throws ERR_ARGUMENT (bad name or filter), ERR_PAYLOAD_TOO_LARGE (over queryMaxBytes),
   * ERR_NOT_RUNNING.
   */
  query(name: string, payload?: string | Uint8Array, opts?: QueryOptions): QueryStream;
  /**
   * Answer queries named `name` (one handler per name; a new one replaces the old); `'*'` answers
   * every query that no handler of its own name takes (as a Serf `query` handler). The handler's
   * result is the response; a handler that throws or returns nothing sends none (the ack, if
   * asked, went out already). Returns the function that removes the handler.
   */
  onQuery(name: string, handler: QueryHandler): () => void;
  /** Replace our tags; they spread by gossip with a new incarnation. Throws ERR_TAGS_TOO_LARGE. */
  setTags(tags: Tags): void;
  /**
   * Serf's force-leave: a member this agent holds failed becomes left, here at once and
   * everywhere by gossip; `prune` also forgets it at once, here and on every agent that holds it failed. Throws ERR_NO_MEMBER for a name
   * not known, ERR_NOT_FAILED for a member not failed (a live one is the protocol's to judge).
   */
  forceLeave(name: string, opts?: { prune?: boolean }): Member;
  /** Graceful leave: broadcast `left`, wait for it to spread (bounded by leaveTimeoutMs), stop. */
  leave(): Promise<void>;
  /** Stop at once (after leave() if you want others to see `left` rather than `failed`). */
  shutdown(): Promise<void>;
  stats(): AgentStats;
  health(): AgentHealth;
  setLogLevel(level: LogLevel): void;
  /**
   * A key operation on this agent and then every live member (`phantom keys`); with `local`,
   * on this agent only. Rejects with ERR_NO_KEYRING when encryption is off, and as
   * KeyService.run (ERR_KEY_PRIMARY, ERR_KEY_NOT_EVERYWHERE, ERR_KEYS_BUSY, ...).
   */
  keys(op: KeyOp, key?: string, opts?: { local?: boolean }): Promise<KeyOpResult>;
  readonly log: Logger;
}

/**
 * Start an agent: validate the config, read the snapshot, bind the socket, start the protocol.
 * Rejects with ERR_CONFIG (naming every bad field), ERR_BIND (port in use, address not ours) or
 * ERR_SNAPSHOT (unreadable data dir), each saying what to do.
 */
export async function createAgent(input: AgentConfigInput = {}, opts: AgentRuntimeOptions = {}): Promise<Agent> {
  const config = resolveAgentConfig(input);
  // Before anything writes into it (the keyring file is written at the first start with --encrypt).
  if (config.dataDir) createDataDir(config.dataDir);
  const snapshot = config.dataDir ? readSnapshot(config.dataDir) : undefined;
  if (snapshot?.name && snapshot.name !== config.name) {
    throw new ClusterError(
      'ERR_SNAPSHOT',
      `data dir ${config.dataDir} holds the snapshot of agent ${JSON.stringify(snapshot.name)}, not ${JSON.stringify(config.name)}; use --name ${snapshot.name} or another --data-dir`,
    );
  }
  const savedTags = config.dataDir ? readTagsFile(config.dataDir) : undefined;
  const late: { log?: Logger } = {};
  const security = setupSecurity(config, (err) =>
    late.log?.error({ err: err.message }, 'cannot write the keyring file; the new keys are in force but a restart will not remember them'),
  );
  const udp = await createUdpTransport({ bind: config.bind, ...(config.advertise ? { advertise: config.advertise } : {}) });
  try {
    const agent = new RealAgent(config, udp, snapshot, security, opts, savedTags);
    late.log = agent.log;
    return agent;
  } catch (e) {
    await udp.close();
    throw e;
  }
}

/** The data dir and missing parents, mode 0700 (it holds the keyring); ERR_SNAPSHOT when it cannot be made. */
function createDataDir(dir: string): void {
  try {
    ensurePrivateDir(dir);
  } catch (e) {
    throw new ClusterError(
      'ERR_SNAPSHOT',
      `cannot create the data dir ${dir}: ${(e as Error).message}; create it (mode 0700, owned by the agent's user) or pick another --data-dir`,
    );
  }
}

/** Snapshot member rows dropped on read for a bad field (0 for a snapshot built in memory). */
function skippedRows(s: Snapshot | undefined): number {
  return s && 'skipped' in s && typeof s.skipped === 'number' ? s.skipped : 0;
}

class RealAgent implements Agent {
  readonly log: Logger;
  private readonly node: Node;
  private readonly driver: Driver;
  private readonly observer: Observer;
  private readonly history_: MemberHistory;
  private readonly emitter: TypedEmitter<AgentEvents>;
  private readonly hub = new MonitorHub();
  /** The operator's level, and what each monitor asked for: the logger runs at the lowest. */
  private outputLevel: LogLevel;
  private readonly monitorLevels = new Map<MonitorListener, number>();
  private readonly ownLogger: boolean;
  private readonly coalescer: EventCoalescer;
  private readonly queryHandlers = new Map<string, QueryHandler>();
  private readonly snapshotter: Snapshotter | undefined;
  private readonly router: WireRouter;
  private readonly keyService: KeyService | undefined;
  private readonly startedAt = performance.now();
  private rejoin: string[];
  private joinedOnce = false;
  private state: AgentStats['state'] = 'running';
  private leaving: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Event-loop lag fed to the core as local health (lagAwareness). */
  private readonly lag: LoopLagMonitor | undefined;

  constructor(
    readonly config: AgentConfig,
    private readonly udp: UdpTransport,
    readonly restoredFrom: Snapshot | undefined,
    private readonly security: AgentSecurity,
    opts: AgentRuntimeOptions,
    savedTags?: Tags,
  ) {
    const hub = this.hub;
    const tap = (line: string): void => {
      if (hub.size === 0) return;
      try {
        hub.publish({ kind: 'log', level: levelOfLine(line) ?? 30, data: JSON.parse(line) as unknown });
      } catch {
        // not JSON: pino writes nothing else
      }
    };
    this.outputLevel = config.logLevel;
    this.ownLogger = opts.logger === undefined;
    this.log =
      opts.logger ??
      createLogger({
        level: config.logLevel,
        agent: config.name,
        tap,
        outputLevel: () => LEVEL_VALUES[this.outputLevel],
        ...(opts.prettyLogs !== undefined ? { pretty: opts.prettyLogs } : {}),
        ...(opts.logWrite ? { write: opts.logWrite } : {}),
      });
    this.history_ = new MemberHistory(config.name);
    this.emitter = new TypedEmitter<AgentEvents>((err, type, e) => this.log.error({ err, ...eventFields(type, e) }, 'an event listener threw'));
    this.rejoin = restoredFrom ? rejoinAddresses(restoredFrom, config.name) : [];
    this.coalescer = new EventCoalescer(config.protocol.userEventCoalesceMs, (e) => this.emitter.emit('event', e));
    this.node = createNode(
      {
        name: config.name,
        tags: savedTags ?? config.tags,
        incarnation: restoredFrom ? restoredFrom.incarnation + 1 : 0,
        config: config.protocol,
        security: { keyring: security.keyring, label: config.clusterLabel, verifyIncoming: config.verifyIncoming, verifyOutgoing: config.verifyOutgoing },
        limits: { maxMembers: config.maxMembers },
      },
      {
        transport: udp,
        scheduler: new RealScheduler(),
        random: new SeededRandom(randomBytes(4).readUInt32LE(0)),
        log: this.log,
        ...(opts.wallClock ? { wallClock: opts.wallClock } : {}),
        onEvent: (e) => this.onEvent(e),
        onUserEvent: (e) => this.onUserEvent(e),
        onQuery: (q, respond) => this.onIncomingQuery(q, respond),
        onNote: (n) => {
          this.history_.note(n);
          if (n.kind === 'refuted') this.snapshotter?.changed();
        },
      },
    );
    this.driver = this.node.driver;
    this.observer = this.node.observer;
    this.router = this.node.router;
    this.keyService = this.node.keyService;
    const observer = this.observer;
    if (security.keyring) security.keyring.onChange((v) => this.log.info({ keys: v.keys.length }, 'keyring changed'));
    this.lag = config.protocol.lagAwareness
      ? new LoopLagMonitor(config.protocol.probeIntervalMs, (ms) => {
          observer.lag(ms);
          this.driver.reportLag(ms);
        })
      : undefined;
    if (config.dataDir) {
      this.snapshotter = new Snapshotter(
        config.dataDir,
        config.name,
        {
          members: () => this.driver.members(),
          incarnation: () => this.driver.core.currentIncarnation,
          onError: (err) =>
            this.log.warn(
              { err: err.message, dataDir: config.dataDir },
              'cannot write the snapshot; the agent runs on, but a restart will not remember members',
            ),
        },
        opts.snapshotIntervalMs,
      );
      this.snapshotter.flush(); // records the raised incarnation before anyone can see it
    }
    this.log.info(
      {
        address: udp.address,
        bind: udp.boundAddress,
        profile: config.profile,
        encryption: security.source,
        sealing: this.node.envelope.sealing,
        clusterLabel: config.clusterLabel || undefined,
        incarnation: this.driver.core.currentIncarnation,
        restored: restoredFrom ? restoredFrom.members.length : 0,
        ...(skippedRows(restoredFrom) > 0 ? { snapshotRowsSkipped: skippedRows(restoredFrom) } : {}),
      },
      'agent started',
    );
    if (savedTags && config.dataDir)
      this.log.info(
        { tags: savedTags, file: tagsFilePath(config.dataDir) },
        'tags set at run time restored from the data dir (they replace the configured ones; delete the file to go back)',
      );
  }

  get name(): string {
    return this.config.name;
  }
  get address(): string {
    return this.udp.address;
  }

  private onEvent(e: MemberEvent): void {
    this.history_.event(e);
    this.snapshotter?.changed();
    this.emitter.emit(e.type, e);
    if (this.hub.size > 0) {
      const m = e.member;
      this.hub.publish({
        kind: 'member',
        data: {
          type: e.type,
          member: { name: m.name, addr: m.address, status: statusOf(m.state), incarnation: m.incarnation, tags: m.tags },
          previous: e.previous === undefined ? null : statusOf(e.previous),
        },
      });
    }
  }

  monitor(fn: MonitorListener, opts: { logLevel?: LogLevel } = {}): () => void {
    const off = this.hub.subscribe(fn);
    if (opts.logLevel === undefined || !this.ownLogger) return off;
    this.monitorLevels.set(fn, LEVEL_VALUES[opts.logLevel]);
    this.applyLogLevel();
    return () => {
      off();
      this.monitorLevels.delete(fn);
      this.applyLogLevel();
    };
  }

  get logLevel(): LogLevel {
    return this.ownLogger ? this.outputLevel : (this.log.level as LogLevel);
  }

  private applyLogLevel(): void {
    this.log.level = levelName(Math.min(LEVEL_VALUES[this.outputLevel], ...this.monitorLevels.values()));
  }

  private onUserEvent(e: UserEvent): void {
    this.log.info({ event: e.name, ltime: e.ltime, bytes: e.payload.length, ...(e.coalesce ? { coalesce: true } : {}) }, 'user event');
    this.coalescer.push(e);
  }

  query(name: string, payload: string | Uint8Array = new Uint8Array(0), opts: QueryOptions = {}): QueryStream {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot ask a query: the agent is ${this.state}`);
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    const stream = new QueryStream();
    const request = toQueryRequest(name, bytes, opts);
    this.driver.query(request, { answer: (type, from, p) => stream.push({ type, from, payload: p }), done: (t) => stream.end(t) });
    this.log.info(
      { query: name, bytes: bytes.length, nodes: request.nodes.length || undefined, tags: opts.tags, relay: request.relay || undefined },
      'query asked',
    );
    return stream;
  }

  onQuery(name: string, handler: QueryHandler): () => void {
    this.queryHandlers.set(name, handler);
    return () => {
      if (this.queryHandlers.get(name) === handler) this.queryHandlers.delete(name);
    };
  }

  private onIncomingQuery(q: IncomingQuery, respond: (payload: Uint8Array) => void): void {
    const handler = this.queryHandlers.get(q.name) ?? this.queryHandlers.get(ANY_QUERY);
    this.log.debug({ query: q.name, from: q.from, ltime: q.ltime, handled: handler !== undefined }, 'query received');
    if (!handler) return;
    const send = (r: Uint8Array | string | undefined | undefined): void => {
      if (r === undefined) return;
      respond(typeof r === 'string' ? new TextEncoder().encode(r) : r);
    };
    try {
      const r = handler({ name: q.name, payload: q.payload, from: q.from, ltime: q.ltime });
      if (r instanceof Promise) r.then(send).catch((err: unknown) => this.log.error({ err, query: q.name, from: q.from }, 'a query handler failed'));
      else send(r);
    } catch (err) {
      this.log.error({ err, query: q.name, from: q.from }, 'a query handler failed');
    }
  }

  event(name: string, payload: string | Uint8Array = new Uint8Array(0), opts: { coalesce?: boolean } = {}): void {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot send an event: the agent is ${this.state}`);
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    this.driver.event(name, bytes, opts.coalesce === true);
  }

  async join(seeds: readonly string[]): Promise<number> {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot join: the agent is ${this.state}`);
    const resolved = await Promise.all(seeds.map((s) => this.resolveSeed(s)));
    const fromSnapshot = this.joinedOnce ? [] : this.rejoin;
    this.joinedOnce = true;
    const all = [...new Set([...resolved, ...fromSnapshot])].filter((a) => a !== this.address);
    if (all.length === 0) {
      throw new ClusterError(
        'ERR_JOIN_FAILED',
        'nothing to join: give at least one seed other than this agent (--join host:port), or start with --data-dir of a previous run',
      );
    }
    this.log.info({ seeds: resolved, fromSnapshot: fromSnapshot.length }, 'joining');
    return new Promise<number>((resolve, reject) => {
      this.driver.join(all, (r) => {
        if (r.ok) {
          this.log.info({ contacted: r.contacted }, 'joined');
          resolve(r.contacted);
        } else {
          this.log.warn({ error: r.error.message }, 'join failed');
          const refusals = all.map((a) => [a, this.router.refusal(a)] as const).filter(([, why]) => why !== undefined);
          if (refusals.length > 0) {
            const said = refusals.map(([a, why]) => `${a}: ${why}`).join('; ');
            return reject(new ClusterError('ERR_JOIN_FAILED', `${r.error.message}. The seeds refused us: ${said}`));
          }
          reject(
            new ClusterError(
              'ERR_JOIN_FAILED',
              `${r.error.message}. Is an agent running at each seed, with UDP port open between the hosts and the same --profile?`,
            ),
          );
        }
      });
    });
  }

  private async resolveSeed(seed: string): Promise<string> {
    const hp = parseHostPort(seed, 'join', { port: 7946 });
    if (familyOf(hp.host) !== 0) return formatHostPort(hp.host, hp.port);
    try {
      const v6 = familyOf(parseHostPort(this.udp.boundAddress, 'bind').host) === 6;
      const r = await lookup(hp.host, { family: v6 ? 0 : 4 });
      return formatHostPort(r.address, hp.port);
    } catch (e) {
      throw new ClusterError('ERR_JOIN_FAILED', `cannot resolve seed ${JSON.stringify(seed)} (${(e as Error).message}); check the name or give an IP address`);
    }
  }

  members(): Member[] {
    return this.driver.members();
  }
  member(name: string): Member | undefined {
    return this.driver.core.member(name);
  }
  self(): Member {
    return this.driver.core.member(this.config.name)!;
  }
  history(name: string): readonly HistoryEntry[] {
    return this.history_.of(name);
  }
  on<K extends keyof AgentEvents>(type: K, fn: (e: AgentEvents[K]) => void): () => void {
    return this.emitter.on(type, fn);
  }

  setTags(tags: Tags): void {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot set tags: the agent is ${this.state}`);
    this.driver.setTags(tags);
    this.snapshotter?.changed();
    if (this.config.dataDir) {
      try {
        writeTagsFile(this.config.dataDir, tags);
      } catch (e) {
        this.log.warn(
          { err: (e as Error).message, dataDir: this.config.dataDir },
          'cannot save the tags in the data dir; they are in force, but a restart will use the configured ones',
        );
      }
    }
    this.log.info({ tags, incarnation: this.driver.core.currentIncarnation }, 'tags set');
  }

  forceLeave(name: string, opts: { prune?: boolean } = {}): Member {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot force-leave: the agent is ${this.state}`);
    const m = this.driver.core.member(name);
    if (!m) throw new ClusterError('ERR_NO_MEMBER', `no member named ${JSON.stringify(name)} is known to this agent`);
    if (m.state !== 'dead')
      throw new ClusterError(
        'ERR_NOT_FAILED',
        `${name} is ${m.state}, not failed: only a failed member can be forced to leave (a live one is the protocol's to judge)`,
      );
    this.driver.forceLeave(name, opts.prune === true);
    this.snapshotter?.changed();
    this.log.info({ member: name, incarnation: m.incarnation, prune: opts.prune === true }, 'force-leave: failed member marked left');
    return this.driver.core.member(name) ?? { ...m, state: 'left' };
  }

  leave(): Promise<void> {
    if (this.leaving) return this.leaving;
    if (this.state === 'stopped') return Promise.resolve();
    this.state = 'leaving';
    this.log.info({}, 'leaving the cluster');
    const boundMs = this.config.protocol.leaveTimeoutMs + 1000;
    this.leaving = new Promise<void>((resolve) => {
      // The core bounds the leave itself; this guard only covers a core that never says `left`.
      const guard = setTimeout(resolve, boundMs);
      this.driver.leave(() => {
        clearTimeout(guard);
        resolve();
      });
    }).then(() => {
      this.state = 'left';
      this.snapshotter?.flush();
      this.log.info({ incarnation: this.driver.core.currentIncarnation }, 'left the cluster');
    });
    return this.leaving;
  }

  shutdown(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.node.close();
        this.coalescer.flush();
        this.lag?.stop();
        this.snapshotter?.flush();
        this.snapshotter?.stop();
        await this.udp.close();
        this.state = 'stopped';
        this.log.info({}, 'agent stopped');
      })();
    }
    return this.stopping;
  }

  stats(): AgentStats {
    const members: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
    const rows = this.driver.members();
    for (const m of rows) members[m.state]++;
    const s = this.driver.stats;
    const core = this.driver.core.counters();
    return {
      name: this.name,
      address: this.address,
      incarnation: this.driver.core.currentIncarnation,
      state: this.state,
      uptimeMs: Math.round(performance.now() - this.startedAt),
      members,
      checksum: membershipChecksum(rows),
      packetsIn: s.packetsIn,
      packetsOut: s.packetsOut,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      sendErrors: this.udp.stats.sendErrors + this.udp.stats.badAddress,
      awareness: core.awareness,
      core,
      snapshotWrites: this.snapshotter?.writes ?? 0,
      counters: this.observer.counters,
      histograms: { probeRttSeconds: this.observer.probeRtt.snapshot(), loopDelaySeconds: this.observer.loopDelay.snapshot() },
      security: {
        encrypted: this.security.keyring !== undefined,
        sealing: this.node.envelope.sealing,
        verifyIncoming: this.security.keyring !== undefined && this.config.verifyIncoming,
        keys: this.security.keyring?.size ?? 0,
        label: this.config.clusterLabel,
        ...this.router.counts,
      },
    };
  }

  keys(op: KeyOp, key?: string, opts: { local?: boolean } = {}): Promise<KeyOpResult> {
    if (!this.keyService)
      return Promise.reject(
        new ClusterError('ERR_NO_KEYRING', 'encryption is off on this agent: start it with --encrypt KEY or --keyring FILE to manage keys'),
      );
    if (this.state !== 'running') return Promise.reject(new ClusterError('ERR_NOT_RUNNING', `cannot manage keys: the agent is ${this.state}`));
    return this.keyService.run(op, key, opts);
  }

  health(): AgentHealth {
    return agentHealth(this.state, this.name, this.driver.members());
  }

  setLogLevel(level: LogLevel): void {
    if (!this.ownLogger) return void (this.log.level = level);
    this.outputLevel = level;
    this.applyLogLevel();
  }

  /** The protocol config in force (for `phantom info`). */
  get protocol(): ProtocolConfig {
    return this.config.protocol;
  }
}
