/**
 * Wires a running agent to the admin API's narrow functions, and keeps the consistent-hash ring
 * and shard map `phantom lookup` and `GET /v1/ring` read: rebuilt from the member table only when
 * a membership event marked them stale, so a lookup costs a binary search between changes. The
 * shard map uses the default (pure) placement, so its checksum matches every other agent's.
 */
import type { Agent } from '../agent/agent.js';
import type { AdminDeps } from '../admin/server.js';
import { HashRing, ShardMap, onRing } from '../ring/index.js';
import { summarizeRing } from '../ring/summary.js';

/** The admin functions for `agent`; `leave` is supplied by the caller (it also stops the process). */
export function adminDepsFor(agent: Agent, leave: () => Promise<void>): AdminDeps {
  const ring = new HashRing();
  const shards = new ShardMap();
  let stale = true;
  const fresh = (): HashRing => {
    if (stale) {
      const live = agent.members().filter((m) => onRing(m.state)).map((m) => ({ name: m.name, tags: m.tags }));
      ring.reset(live);
      shards.rebalance(live);
      stale = false;
    }
    return ring;
  };
  for (const t of ['join', 'update', 'suspect', 'alive', 'failed', 'left'] as const) agent.on(t, () => void (stale = true));
  return {
    members: () => agent.members(),
    member: (name) => agent.member(name),
    history: (name) => agent.history(name),
    self: () => agent.self(),
    stats: () => agent.stats(),
    health: () => agent.health(),
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
        logLevel: agent.log.level,
        dataDir: c.dataDir ?? null,
        join: c.join,
        restoredMembers: agent.restoredFrom?.members.length ?? 0,
      };
    },
    join: (addrs) => agent.join(addrs),
    leave,
    setTags: (tags) => {
      agent.setTags(tags);
      stale = true;
    },
    lookup: (key, n) => fresh().lookup(key, n),
    ring: () => summarizeRing(fresh(), shards),
    now: () => performance.now(),
    keys: (op, key, opts) => agent.keys(op, key, opts),
  };
}
