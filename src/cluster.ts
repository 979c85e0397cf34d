/**
 * The Cluster facade (the original ClusterManager): one agent's membership feeding a ring, a
 * shard map and a load balancer, wired by membership events so they follow by themselves.
 *
 * `Cluster.start(config)` runs a real UDP agent; `Cluster.attach(source)` wires the same parts to
 * any membership source, such as an agent in the simulator (`simulationSource` in phantom-cluster/sim).
 */
import { randomBytes } from 'node:crypto';
import { createAgent, type Agent, type AgentRuntimeOptions } from './agent/agent.js';
import type { AgentConfigInput } from './agent/agent-config.js';
import { eventFields, TypedEmitter } from './agent/events.js';
import { createLogger, type Logger } from './agent/log.js';
import { createBalancer, type BalancerConfig, type LoadBalancer } from './balancer/index.js';
import { ClusterError } from './errors.js';
import type { Member, MemberEvent, MemberEventType, Random } from './core/types.js';
import { HashRing, RingFeed, ShardMap, type RingChange, type ShardMapInit, type ShardMove } from './ring/index.js';
import { SeededRandom } from './runtime/random.js';
import type { MembershipSource } from './membership-source.js';

export type { MembershipSource } from './membership-source.js';

/** When the cluster counts as healthy, from this agent's point of view. */
export interface HealthPolicy {
  /** Least share of known non-left members that must be alive (0..1). Default 0.5. */
  readonly minAliveShare: number;
  /** Highest Lifeguard awareness score we accept in ourselves. Default 4 (of 0..7). */
  readonly maxAwareness: number;
}

export interface ClusterOptions {
  /** Virtual nodes per member on the ring. Default 256 (see bench/RING.md). */
  readonly vnodes?: number;
  /**
   * Shard map options. The default placement (`rounds`) is a pure function of the member set,
   * so every agent that agrees on membership agrees on the owners of every shard. Do not pick
   * `sticky` here: it depends on the order of past changes, and agents would disagree.
   */
  readonly shards?: ShardMapInit;
  readonly balancer?: Partial<BalancerConfig>;
  readonly health?: Partial<HealthPolicy>;
  /** Route to ourselves too? Default true: a database node serves its own keys. */
  readonly routeToSelf?: boolean;
}

export interface ClusterStartConfig extends ClusterOptions {
  /** The agent's settings (see docs/AGENT.md). */
  readonly agent?: AgentConfigInput;
  /** Seeds to join; none = start a new cluster. */
  readonly join?: readonly string[];
  readonly runtime?: AgentRuntimeOptions;
}

/** Every event a Cluster publishes. */
export type ClusterEvents = { [K in MemberEventType]: MemberEvent } & {
  'ring-changed': RingChange;
  /** Shard replicas that changed owner after a membership change: what to copy where. */
  'shards-changed': readonly ShardMove[];
};

export type ClusterHealth = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

/** What `Cluster.attach` needs besides the source: time, randomness, and optionally a logger. */
export interface ClusterDeps {
  readonly random: Random;
  /** Milliseconds (monotonic or virtual) for the balancer. */
  now(): number;
  /** Listener exceptions are logged here; default: error level to stderr. */
  readonly logger?: Logger;
}

/** Membership changes this close together are placed as one (ms). */
const SHARD_COALESCE_MS = 100;

const EVENT_TYPES: readonly MemberEventType[] = ['join', 'update', 'suspect', 'alive', 'failed', 'left'];

export class Cluster {
  readonly ring: HashRing;
  private readonly shardMap: ShardMap;
  /** Membership changed since the shards were last placed. */
  private shardsStale = false;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  readonly balancer: LoadBalancer;
  private readonly feed: RingFeed;
  private readonly emitter: TypedEmitter<ClusterEvents>;
  /** Where listener exceptions and the facade's own notes go. */
  readonly log: Logger;
  private readonly policy: HealthPolicy;
  private readonly offs: (() => void)[] = [];

  private constructor(
    private readonly source: MembershipSource,
    options: ClusterOptions,
    deps: ClusterDeps,
  ) {
    this.log = deps.logger ?? createLogger({ level: 'error', write: (line) => void process.stderr.write(line) });
    // A listener that throws must not stop the ring, balancer or other listeners, nor vanish.
    this.emitter = new TypedEmitter<ClusterEvents>((err, type, payload) => this.log.error({ err, ...eventFields(type, payload) }, 'a cluster event listener threw'));
    this.policy = { minAliveShare: 0.5, maxAwareness: 4, ...options.health };
    if (!(this.policy.minAliveShare >= 0 && this.policy.minAliveShare <= 1)) throw new ClusterError('ERR_CONFIG', `health.minAliveShare (${this.policy.minAliveShare}) must be in [0, 1]`);
    this.feed = new RingFeed(new HashRing(options.vnodes !== undefined ? { vnodes: options.vnodes } : {}));
    this.ring = this.feed.ring;
    this.shardMap = new ShardMap(options.shards);
    this.balancer = createBalancer(options.balancer ?? {}, { random: deps.random, now: deps.now, owners: (key, n) => this.ring.lookup(key, n) });
    const routeToSelf = options.routeToSelf ?? true;
    const members = source.members();
    this.feed.reset(members);
    this.shardMap.createShards(this.ringMembers());
    this.balancer.sync(routeToSelf ? members : members.filter((m) => m.name !== source.name));
    this.offs.push(this.feed.on('ring-changed', (change) => this.onRingChanged(change)));
    for (const type of EVENT_TYPES) {
      this.offs.push(
        source.on(type, (e) => {
          // Ring first, so a listener that routes on 'failed' already sees the new owners.
          this.feed.apply(e);
          if (routeToSelf || e.member.name !== source.name) this.balancer.apply(e);
          this.emitter.emit(type, e);
        }),
      );
    }
  }

  /** Start a real agent (UDP), join the seeds, and wire the ring, shards and balancer to it. */
  static async start(config: ClusterStartConfig = {}): Promise<Cluster> {
    const agent = await createAgent(config.agent ?? {}, config.runtime ?? {});
    try {
      if (config.join && config.join.length > 0) await agent.join(config.join);
    } catch (e) {
      await agent.shutdown();
      throw e;
    }
    return new Cluster(agentSource(agent), config, { random: new SeededRandom(randomBytes(4).readUInt32LE(0)), now: () => performance.now(), logger: agent.log });
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
    return this.source.members().filter((m) => m.state === 'alive' || m.state === 'suspect');
  }
  get size(): number {
    return this.source.members().filter((m) => m.state !== 'left').length;
  }
  get activeSize(): number {
    return this.activeMembers().length;
  }
  /** The owners of a key on the ring, primary first: `lookup(key, 3)`. */
  lookup(key: string | Uint8Array, n = 1): string[] {
    return this.ring.lookup(key, n);
  }

  /** Healthy when enough of the cluster is alive and we ourselves are not the slow one. */
  isHealthy(): ClusterHealth {
    const known = this.source.members().filter((m) => m.state !== 'left');
    const alive = known.filter((m) => m.state === 'alive').length;
    const share = known.length === 0 ? 0 : alive / known.length;
    if (share < this.policy.minAliveShare) return { healthy: false, reason: `only ${alive} of ${known.length} members alive (${Math.round(share * 100)}% < ${Math.round(this.policy.minAliveShare * 100)}%)` };
    const awareness = this.source.awareness?.() ?? 0;
    if (awareness > this.policy.maxAwareness) return { healthy: false, reason: `our own awareness score is ${awareness} (> ${this.policy.maxAwareness}): this agent is slow or losing packets` };
    return { healthy: true };
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
    // Placing 1024 shards costs milliseconds to hundreds of them at 1000 members: coalesce a burst
    // of changes into one placement, done shortly after, or at once when someone reads the shards.
    this.shardsStale = true;
    this.flushTimer ??= setTimeout(() => this.placeShards(), SHARD_COALESCE_MS);
    this.flushTimer.unref?.();
  }

  /** The shard map, placed for the current membership. */
  get shards(): ShardMap {
    if (this.shardsStale) this.placeShards();
    return this.shardMap;
  }

  private placeShards(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.shardsStale) return;
    this.shardsStale = false;
    const moves = this.shardMap.rebalance(this.ringMembers());
    if (moves.length > 0) this.emitter.emit('shards-changed', moves);
  }

  private detach(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const off of this.offs.splice(0)) off();
  }
}

function agentSource(agent: Agent): MembershipSource {
  return {
    name: agent.name,
    members: () => agent.members(),
    on: (type, fn) => agent.on(type, fn),
    awareness: () => agent.stats().awareness,
    leave: () => agent.leave().then(() => agent.shutdown()),
    shutdown: () => agent.shutdown(),
  };
}
