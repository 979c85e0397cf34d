/**
 * Wires a running agent to the admin API's narrow functions (`AdminDeps`): what `phantom agent`
 * serves, and what an embedded Cluster serves, in its own thread or in the agent's worker.
 *
 * Without a ring of the caller's, it keeps the ring and shard map that `phantom lookup` and
 * `GET /v1/ring` read: rebuilt from the member table only when a membership event marked them
 * stale, so a lookup costs one hash between changes. Owners come from the shard map (the one
 * placement `Cluster.lookup` and key affinity use), with the caller's shard options or the
 * defaults, so its answers and checksum match every other agent's.
 */
import type { Agent } from '../agent/agent.js';
import type { AgentHealth } from '../agent/health.js';
import { MEMBER_EVENT_TYPES } from '../core/types.js';
import { HashRing, ShardMap, onRing, type ShardMapInit } from '../ring/index.js';
import { summarizeRing } from '../ring/summary.js';
import type { MainThreadStats } from '../embed/host-watch.js';
import type { MetricsRenderer } from './metrics.js';
import type { AdminDeps } from './server.js';

/** What the caller adds to, or overrides in, the agent's own answers. */
export interface AgentAdminOptions {
  /** Graceful leave as the caller means it (`phantom agent` also stops the process). */
  readonly leave: () => Promise<void>;
  /** The caller's ring and shard map (an embedded Cluster's); default: one kept here. */
  readonly ring?: () => { readonly ring: HashRing; readonly shards: ShardMap };
  /** Options of the shard map kept here when `ring` is not given (an embedded Cluster's); default: ShardMap's. */
  readonly shards?: ShardMapInit;
  /** Health as the caller defines it (a Cluster's policy); default: the agent's. */
  readonly health?: () => AgentHealth;
  /** Tags as the caller sets them (the worker keeps its own health tag apart); default: the agent's. */
  readonly setTags?: (tags: Readonly<Record<string, string>>) => void;
  /** The host's main thread, when the agent runs in a worker. */
  readonly mainThread?: () => MainThreadStats;
  /** Extra fields for `GET /v1/info`. */
  readonly info?: () => Record<string, unknown>;
}

/** The admin functions for `agent`. */
export function adminDepsFor(agent: Agent, opts: AgentAdminOptions): AdminDeps {
  let own: { ring: HashRing; shards: ShardMap; stale: boolean } | undefined;
  const ringAndShards =
    opts.ring ??
    ((): { ring: HashRing; shards: ShardMap } => {
      if (!own) {
        const o = { ring: new HashRing(), shards: new ShardMap(opts.shards), stale: true };
        for (const t of MEMBER_EVENT_TYPES) agent.on(t, () => void (o.stale = true));
        own = o;
      }
      if (own.stale) {
        const live = agent
          .members()
          .filter((m) => onRing(m.state))
          .map((m) => ({ name: m.name, tags: m.tags }));
        own.ring.reset(live);
        own.shards.rebalance(live);
        own.stale = false;
      }
      return own;
    });
  // prom-client is loaded at the first scrape, not at start: ~50 ms of CPU and ~3.5 MiB of every
  // agent's start (bench/STARTUP.md). Process metrics already start at the first scrape.
  let metrics: Promise<MetricsRenderer> | undefined;
  const renderMetrics = async (): Promise<string> => {
    metrics ??= import('./metrics.js').then(
      ({ MetricsRenderer }) =>
        new MetricsRenderer(() => ({ stats: agent.stats(), mainThread: opts.mainThread?.() }), { mainThread: opts.mainThread !== undefined }),
    );
    return (await metrics).render();
  };
  return {
    members: () => agent.members(),
    member: (name) => agent.member(name),
    history: (name) => agent.history(name),
    self: () => agent.self(),
    stats: () => agent.stats(),
    health: opts.health ?? (() => agent.health()),
    info: () => {
      const c = agent.config;
      return {
        name: agent.name,
        address: agent.address,
        bind: c.bind,
        advertise: c.advertise ?? null,
        profile: c.profile,
        protocol: c.protocol,
        tags: agent.self().tags,
        admin: c.admin,
        logLevel: agent.logLevel,
        dataDir: c.dataDir ?? null,
        join: c.join,
        restoredMembers: agent.restoredFrom?.members.length ?? 0,
        ...opts.info?.(),
      };
    },
    join: (addrs) => agent.join(addrs),
    leave: opts.leave,
    setTags: (tags) => {
      (opts.setTags ?? ((t) => agent.setTags(t)))(tags);
      if (own) own.stale = true;
    },
    forceLeave: (name, prune) => agent.forceLeave(name, { prune }),
    monitor: (fn, level) => agent.monitor(fn, level === undefined ? {} : { logLevel: level }),
    event: (name, payload, coalesce) => agent.event(name, payload, { coalesce }),
    query: (name, payload, opts) => agent.query(name, payload, opts),
    lookup: (key, n) => ringAndShards().shards.lookup(key, n),
    ring: () => {
      const { ring, shards } = ringAndShards();
      return summarizeRing(ring, shards);
    },
    now: () => performance.now(),
    metrics: renderMetrics,
    keys: (op, key, opts) => agent.keys(op, key, opts),
  };
}
