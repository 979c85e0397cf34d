/**
 * The Cluster facade (the original ClusterManager): one agent's membership feeding a ring, a
 * shard map and a load balancer, wired by membership events so they follow by themselves, plus
 * what an operator has on `phantom agent`: tags, stats, health, leave, and the same admin API.
 *
 * `Cluster.start(config)` runs a real UDP agent in a worker thread (the default, so the host's
 * own blocking work cannot get the member declared dead) or on this event loop (`isolate: 'none'`);
 * either way the ring and balancer live on this thread and answer with no round trip.
 * `Cluster.attach(source)` wires the same parts to any membership source, such as an agent in the
 * simulator (`simulationSource` in phantom-cluster/sim).
 */
import { randomBytes } from 'node:crypto';
import { createAgent, type AgentHealth, type AgentRuntimeOptions, type QueryHandler, type QueryOptions } from './agent/agent.js';
import type { QueryStream } from './agent/query-stream.js';
import type { AgentConfigInput } from './agent/agent-config.js';
import { eventFields, TypedEmitter } from './agent/events.js';
import { createLogger, type Logger } from './agent/log.js';
import type { WorkerInit } from './embed/messages.js';
import { createBalancer, type BalancerConfig, type LoadBalancer } from './balancer/index.js';
import { ClusterError } from './errors.js';
import { isLive, MEMBER_EVENT_TYPES, type Member, type MemberEvent, type MemberEventType, type Random, type Tags } from './core/types.js';
import type { UserEventData } from './core/io.js';
import { HashRing, RingFeed, ShardMap, type RingChange, type ShardMapInit, type ShardMove } from './ring/index.js';
import { SeededRandom } from './runtime/random.js';
import { realClock, type Clock } from './runtime/clock.js';
import type { ClusterStats, MembershipSource } from './membership-source.js';
import { clusterHealth, resolveHealthPolicy, type HealthPolicy } from './cluster-health.js';
import { beatIntervalMs } from './embed/host-watch.js';
import { InLoopSource } from './embed/in-loop.js';
import { lineSink } from './embed/log-lines.js';
import { resolveEmbedOptions, type EmbedOptions, type Isolation } from './embed/options.js';
import { WorkerSource } from './embed/worker-source.js';
import { CoordinateView } from './coordinate-view.js';
import { byDistance, type Coordinate } from './core/coordinate.js';

export type { ClusterStats, MembershipSource } from './membership-source.js';
export type { HealthPolicy } from './cluster-health.js';
export type { Isolation } from './embed/options.js';

export interface ClusterOptions {
  /** Virtual nodes per member on `cluster.ring` (which no longer decides owners). Default 256. */
  readonly vnodes?: number;
  /**
   * Shard map options: the one placement behind `lookup`, key affinity, `shards` and
   * `/v1/lookup`. The default (`rounds` over 8192 shards) is a pure function of the member set,
   * so every agent that agrees on membership agrees on the owners of every key. Do not pick
   * `sticky` here: it depends on the order of past changes, and agents would disagree.
   */
  readonly shards?: ShardMapInit;
  readonly balancer?: Partial<BalancerConfig>;
  readonly health?: Partial<HealthPolicy>;
  /** Route to ourselves too? Default true: a database node serves its own keys. */
  readonly routeToSelf?: boolean;
}

export interface ClusterStartConfig extends ClusterOptions {
  /** The agent's settings (see docs/AGENT.md); its `admin` field is `phantom agent`'s, use `admin` here. */
  readonly agent?: AgentConfigInput;
  /** Seeds to join; none = start a new cluster. */
  readonly join?: readonly string[];
  readonly runtime?: AgentRuntimeOptions;
  /**
   * Where the agent runs. 'worker' (default): in a worker thread, so the host's own synchronous
   * work cannot stop it answering probes (bench/ISOLATE.md). 'none': on this event loop (no
   * second isolate: about 11 MiB less, 0.23 s faster to start).
   */
  readonly isolate?: Isolation;
  /**
   * With a worker: the main thread counts as busy once it has not run for this long (ms, 100 to
   * 600000; default 1000). While busy, our `health` tag (the balancer's healthTag) is `busy`, so
   * other members' balancers route around us; nobody declares us dead.
   */
  readonly busyAfterMs?: number;
  /** Serve the admin API, dashboard and /metrics of `phantom agent` on this `host:port` (port 0 = any). Default: none. */
  readonly admin?: string;
  /** Bearer token the admin API requires (16 characters or more); `phantom` commands send PHANTOM_ADMIN_TOKEN. */
  readonly adminToken?: string;
}

/** Every event a Cluster publishes. */
export type ClusterEvents = { [K in MemberEventType]: MemberEvent } & {
  /**
   * The set of members that own keys (alive and suspect) changed. Its `moves` are hash ranges of
   * the vnode ring, which no longer decides owners: copy data by `shards-changed`.
   */
  'ring-changed': RingChange;
  /** Shard replicas that changed owner after a membership change: what to copy where. */
  'shards-changed': readonly ShardMove[];
  /** A user event (`cluster.event`, `phantom event`), from any member, ourselves included. */
  event: UserEventData;
};

/** @deprecated The shape of `isHealthy()`; `health()` answers as `GET /v1/health` does. */
export type ClusterHealth = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

/** What `Cluster.attach` needs besides the source: time, randomness, and optionally a logger. */
export interface ClusterDeps {
  readonly random: Random;
  /**
   * Time, from one place: the balancer's clock and the timer that coalesces shard placements
   * (`sim.virtualClock()` in the simulator; real time in `Cluster.start`).
   */
  readonly clock?: Clock;
  /**
   * @deprecated Give `clock`. Milliseconds (monotonic or virtual) for the balancer; with only
   * `now`, nothing is timed: the shards are placed at every ring change.
   */
  now?(): number;
  /** Listener exceptions are logged here; default: error level to stderr. */
  readonly logger?: Logger;
}

/** Membership changes this close together are placed as one (ms). */
const SHARD_COALESCE_MS = 100;

export class Cluster {
  /**
   * The members that own keys, as a vnode ring (`ring.members()`, `checksum()`). Owners come from
   * the shard map: use `lookup` or `shards`, not `ring.lookup`, which answers differently.
   */
  readonly ring: HashRing;
  private readonly shardMap: ShardMap;
  /** Membership changed since the shards were last placed. */
  private shardsStale = false;
  /** Cancels the pending shard placement, if one is armed. */
  private cancelFlush: (() => void) | undefined;
  /** Arms a timer on the injected clock; undefined when only `now` was given. */
  private readonly after: Clock['after'] | undefined;
  readonly balancer: LoadBalancer;
  private readonly feed: RingFeed;
  private readonly emitter: TypedEmitter<ClusterEvents>;
  /** Where listener exceptions and the facade's own notes go. */
  readonly log: Logger;
  private readonly policy: HealthPolicy;
  private readonly offs: (() => void)[] = [];
  private readonly coordinates: CoordinateView;

  private constructor(
    private readonly source: MembershipSource,
    options: ClusterOptions,
    deps: ClusterDeps,
  ) {
    this.log = deps.logger ?? createLogger({ level: 'error', write: (line) => void process.stderr.write(line) });
    const now = deps.clock ? () => deps.clock!.now() : deps.now?.bind(deps);
    if (!now) throw new ClusterError('ERR_ARGUMENT', 'Cluster.attach: deps.clock is required (sim.virtualClock() in the simulator)');
    this.after = deps.clock ? (ms, fn) => deps.clock!.after(ms, fn) : undefined;
    // A listener that throws must not stop the ring, balancer or other listeners, nor vanish.
    this.emitter = new TypedEmitter<ClusterEvents>((err, type, payload) =>
      this.log.error({ err, ...eventFields(type, payload) }, 'a cluster event listener threw'),
    );
    this.policy = resolveHealthPolicy(options.health);
    this.feed = new RingFeed(new HashRing(options.vnodes !== undefined ? { vnodes: options.vnodes } : {}));
    this.ring = this.feed.ring;
    this.shardMap = new ShardMap(options.shards);
    this.coordinates = new CoordinateView(source.name, () => source.members(), now);
    this.balancer = createBalancer(options.balancer ?? {}, {
      random: deps.random,
      now,
      owners: (key, n) => this.shards.lookup(key, n),
      rttPriorMs: (name) => this.coordinates.rttMs(name),
    });
    const routeToSelf = options.routeToSelf ?? true;
    const members = source.members();
    this.feed.reset(members);
    this.shardMap.createShards(this.ringMembers());
    this.balancer.sync(routeToSelf ? members : members.filter((m) => m.name !== source.name));
    if (source.onUserEvent) this.offs.push(source.onUserEvent((e) => this.emitter.emit('event', e)));
    this.offs.push(this.feed.on('ring-changed', (change) => this.onRingChanged(change)));
    for (const type of MEMBER_EVENT_TYPES) {
      this.offs.push(
        source.on(type, (e) => {
          // Ring first, so a listener that routes on 'failed' already sees the new owners (the
          // shard map is placed again at the first read after the change).
          this.feed.apply(e);
          if (routeToSelf || e.member.name !== source.name) this.balancer.apply(e);
          this.emitter.emit(type, e);
        }),
      );
    }
  }

  /**
   * Start a real agent (UDP), here or in a worker thread, join the seeds, wire the ring, shards
   * and balancer to it, and open the admin API if asked. Rejects with ERR_CONFIG naming every bad
   * field before anything starts, ERR_BIND, ERR_JOIN_FAILED or ERR_WORKER; nothing is left running.
   */
  static async start(config: ClusterStartConfig = {}): Promise<Cluster> {
    const embed = resolveEmbedOptions(config);
    const runtime = config.runtime ?? {};
    const deps = (logger: Logger): ClusterDeps => ({ random: new SeededRandom(randomBytes(4).readUInt32LE(0)), clock: realClock, logger });
    if (embed.isolate === 'worker') {
      const log =
        runtime.logger ??
        createLogger({ level: embed.agent.logLevel, agent: embed.agent.name, ...(runtime.prettyLogs !== undefined ? { pretty: runtime.prettyLogs } : {}) });
      const source = await WorkerSource.start(
        workerInit(config, embed, runtime),
        {
          maxTagsBytes: embed.agent.protocol.maxTagsBytes,
          maxEventBytes: embed.agent.protocol.userEventMaxBytes,
          maxNameBytes: embed.agent.protocol.maxNameBytes,
          queryMaxBytes: embed.agent.protocol.queryMaxBytes,
          queryResponseMaxBytes: embed.agent.protocol.queryResponseMaxBytes,
        },
        log,
        lineSink(runtime.logger, runtime.prettyLogs),
      );
      return Cluster.finish(source, config, deps(log));
    }
    const agent = await createAgent(embed.agent, runtime);
    const source = new InLoopSource(agent);
    return Cluster.finish(source, config, deps(runtime.logger ?? agent.log), async (cluster) => {
      if (embed.admin !== null)
        await source.openAdmin(embed.admin, embed.adminToken, { ring: () => ({ ring: cluster.ring, shards: cluster.shards }), health: () => cluster.health() });
    });
  }

  /** Join, build the facade, open what is left to open; on any failure stop the source. */
  private static async finish(source: MembershipSource, config: ClusterStartConfig, deps: ClusterDeps, open?: (c: Cluster) => Promise<void>): Promise<Cluster> {
    try {
      if (config.join && config.join.length > 0) await source.join!(config.join);
      const cluster = new Cluster(source, config, deps);
      await open?.(cluster);
      return cluster;
    } catch (e) {
      await source.shutdown().catch(() => {});
      throw e;
    }
  }

  /** Wire the parts to any membership source (an agent in the simulator, a test double). */
  static attach(source: MembershipSource, options: ClusterOptions = {}, deps: ClusterDeps): Cluster {
    return new Cluster(source, options, deps);
  }

  /** Our own name. */
  get name(): string {
    return this.source.name;
  }
  /** Every member known, failed and left ones too. */
  members(): Member[] {
    return this.source.members();
  }
  /** Members that serve: alive, plus suspect (a suspect may still be fine; the balancer prefers alive ones). */
  activeMembers(): Member[] {
    return this.source.members().filter((m) => isLive(m.state));
  }
  get size(): number {
    return this.source.members().filter((m) => m.state !== 'left').length;
  }
  get activeSize(): number {
    return this.activeMembers().length;
  }
  /**
   * The owners of a key, primary first: `lookup(key, 3)`. The first `shards.replicas` are the
   * owners of the key's shard (`shards.ownersForKey(key)`, what `shards-changed` copies to); key
   * affinity and `/v1/lookup` give the same answer. With `{ near: true }`, the same owners
   * nearest first by estimated RTT (network coordinates); owners without a coordinate keep their
   * order after those with one.
   */
  lookup(key: string | Uint8Array, n = 1, options: { readonly near?: boolean } = {}): string[] {
    const owners = this.shards.lookup(key, n);
    return options.near ? byDistance(owners, this.coordinates.of(this.source.name), (name) => this.coordinates.of(name), this.source.name) : owners;
  }

  /** A member's network coordinate as our agent last heard it (ours by default); undefined until heard. */
  coordinate(name: string = this.source.name): Coordinate | undefined {
    return this.coordinates.of(name);
  }

  /**
   * The RTT between two members (ms) estimated from their network coordinates, as `phantom rtt`:
   * `b` defaults to us. Undefined while either has no coordinate (coordinates update once a second).
   */
  estimateRttMs(a: string, b: string = this.source.name): number | undefined {
    return this.coordinates.rttMs(a, b);
  }

  /**
   * Healthy as `GET /v1/health` says: the agent runs and is not isolated, enough of the cluster
   * is alive (`health.minAliveShare`), and we ourselves are not the slow one (`health.maxAwareness`).
   */
  health(): AgentHealth {
    return clusterHealth(this.source.agentHealth?.() ?? { ok: true }, this.source.members(), this.source.awareness?.() ?? 0, this.policy);
  }

  /** @deprecated Use `health()`, which answers as the admin API and `phantom` do. */
  isHealthy(): ClusterHealth {
    const h = this.health();
    return h.ok ? { healthy: true } : { healthy: false, reason: h.reason };
  }

  /** Ourselves as others see us (tags included), or undefined once the source forgot us. */
  self(): Member | undefined {
    return this.source.members().find((m) => m.name === this.source.name);
  }

  /**
   * Replace our tags; they spread by gossip with a new incarnation (as `phantom tags` and Serf's
   * SetTags). Throws ERR_TAGS_TOO_LARGE or ERR_NOT_RUNNING before anything changes. With a
   * worker, the tags are in force once the `update` event for ourselves arrives.
   */
  setTags(tags: Tags): void {
    if (!this.source.setTags) throw new ClusterError('ERR_UNSUPPORTED', 'this membership source cannot set tags');
    this.source.setTags(tags);
  }

  /**
   * Send a user event to every member, ourselves included (as `phantom event` and Serf's
   * UserEvent); every member's Cluster and agent emit `event`. A string payload is sent as
   * UTF-8. With `coalesce`, listeners may hear only the latest of a burst of this name. Throws
   * ERR_ARGUMENT (bad name), ERR_PAYLOAD_TOO_LARGE (name + payload over userEventMaxBytes,
   * 512 by default) or ERR_NOT_RUNNING.
   */
  event(name: string, payload: string | Uint8Array = new Uint8Array(0), opts: { coalesce?: boolean } = {}): void {
    if (!this.source.event) throw new ClusterError('ERR_UNSUPPORTED', 'this membership source cannot send user events');
    if (typeof payload !== 'string' && !(payload instanceof Uint8Array))
      throw new ClusterError('ERR_ARGUMENT', 'event payload must be a string or a Uint8Array');
    this.source.event(name, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, opts.coalesce === true);
  }

  /**
   * Ask the cluster a query (as `phantom query` and Serf's Query): iterate over the acks and
   * responses as they arrive (`for await (const a of cluster.query('shard-owner', '17'))`); the
   * iteration ends at the timeout, and `done` resolves then with all of them. Options: `nodes`,
   * `tags` (key -> regex, evaluated by the receivers), `timeoutMs` (default scales with the
   * cluster size), `relay` (0–5), `ack` (default true). Throws ERR_ARGUMENT,
   * ERR_PAYLOAD_TOO_LARGE (over queryMaxBytes, 1024) or ERR_NOT_RUNNING.
   */
  query(name: string, payload: string | Uint8Array = new Uint8Array(0), opts: QueryOptions = {}): QueryStream {
    if (!this.source.query) throw new ClusterError('ERR_UNSUPPORTED', 'this membership source cannot ask queries');
    if (typeof payload !== 'string' && !(payload instanceof Uint8Array))
      throw new ClusterError('ERR_ARGUMENT', 'query payload must be a string or a Uint8Array');
    return this.source.query(name, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, opts);
  }

  /**
   * Answer the queries named `name` that reach us: the handler's result (a string, a Uint8Array,
   * or a promise of one) is the response; undefined sends none. Returns the remover.
   */
  onQuery(name: string, handler: QueryHandler): () => void {
    if (!this.source.onQuery) throw new ClusterError('ERR_UNSUPPORTED', 'this membership source cannot answer queries');
    return this.source.onQuery(name, handler);
  }

  /** The agent's counters (as `GET /v1/stats` and `phantom info`), where it runs, and its host thread. */
  stats(): Promise<ClusterStats> {
    if (!this.source.stats) return Promise.reject(new ClusterError('ERR_UNSUPPORTED', 'this membership source keeps no stats'));
    return this.source.stats();
  }

  /** Join more seeds (as `phantom join`); resolves with how many answered, or ERR_JOIN_FAILED. */
  join(seeds: readonly string[]): Promise<number> {
    if (!this.source.join) return Promise.reject(new ClusterError('ERR_UNSUPPORTED', 'this membership source cannot join'));
    return this.source.join(seeds);
  }

  /** The admin API's `host:port`, when `admin` was given to start. */
  get adminAddress(): string | undefined {
    return this.source.adminAddress;
  }

  on<K extends keyof ClusterEvents>(type: K, fn: (payload: ClusterEvents[K]) => void): () => void {
    return this.emitter.on(type, fn);
  }

  /** Leave gracefully (others see `left`), then stop. */
  async leave(): Promise<void> {
    await this.source.leave();
    this.detach();
  }

  /** Stop at once. */
  async shutdown(): Promise<void> {
    this.detach();
    await this.source.shutdown();
  }

  private ringMembers(): { name: string; tags: Member['tags'] }[] {
    const tags = new Map(this.source.members().map((m) => [m.name, m.tags]));
    return this.ring.members().map((name) => ({ name, tags: tags.get(name) ?? {} }));
  }

  private onRingChanged(change: RingChange): void {
    this.emitter.emit('ring-changed', change);
    // Placing 8192 shards costs ~100 ms at 100 members and more at 1000: coalesce a burst of
    // changes into one placement, done shortly after, or at once when someone reads the owners
    // (lookup, an affinity pick, shards), so every answer follows the membership it saw.
    this.shardsStale = true;
    if (!this.after) return this.placeShards();
    this.cancelFlush ??= this.after(SHARD_COALESCE_MS, () => {
      this.cancelFlush = undefined;
      this.placeShards();
    });
  }

  /** The shard map, placed for the current membership. */
  get shards(): ShardMap {
    if (this.shardsStale) this.placeShards();
    return this.shardMap;
  }

  private placeShards(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    if (!this.shardsStale) return;
    this.shardsStale = false;
    const moves = this.shardMap.rebalance(this.ringMembers());
    if (moves.length > 0) this.emitter.emit('shards-changed', moves);
  }

  private detach(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    for (const off of this.offs.splice(0)) off();
  }
}

function workerInit(config: ClusterStartConfig, embed: EmbedOptions, runtime: AgentRuntimeOptions): Omit<WorkerInit, 'beat'> {
  return {
    agent: { ...config.agent, admin: null },
    admin: embed.admin,
    adminToken: embed.adminToken,
    policy: embed.policy,
    healthTag: embed.healthTag,
    busyAfterMs: embed.busyAfterMs,
    // The worker's admin API answers /v1/lookup from a shard map of its own: the same options.
    ...(config.shards !== undefined ? { shards: config.shards } : {}),
    beatMs: beatIntervalMs(embed.busyAfterMs),
    snapshotIntervalMs: runtime.snapshotIntervalMs,
  };
}
