/**
 * One owner answer per key (issue 17): `cluster.lookup`, the balancer's key affinity, the shard
 * map (`shards.ownersForKey`, and the assignment rebuilt from `shards-changed` alone) and the
 * admin API's `/v1/lookup` name the same owners for every key, through joins, failures, suspicions,
 * leaves and tag changes. Before, lookup and affinity walked the vnode ring while the shards came
 * from a separate placement, and they disagreed on most keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/cluster.js';
import { Simulation } from '../../src/sim/index.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { applyMoves } from '../../src/ring/shard-map.js';
import { adminDepsFor } from '../../src/admin/agent-deps.js';
import type { Agent } from '../../src/agent/agent.js';
import type { MembershipSource } from '../../src/membership-source.js';
import type { Member, MemberEvent, MemberEventType, MemberState, Tags } from '../../src/core/types.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `key-${i}`);

/** A membership source driven by the test: each call changes one member and emits its event. */
class ScriptedSource implements MembershipSource {
  readonly name = 'm0';
  private readonly table = new Map<string, Member>();
  private readonly listeners = new Map<MemberEventType, Set<(e: MemberEvent) => void>>();

  constructor(initial: readonly { name: string; tags?: Tags }[]) {
    for (const m of initial) this.table.set(m.name, member(m.name, 'alive', m.tags ?? {}));
  }
  members(): Member[] {
    return [...this.table.values()];
  }
  on(type: MemberEventType, fn: (e: MemberEvent) => void): () => void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(fn);
    this.listeners.set(type, set);
    return () => set.delete(fn);
  }
  async leave(): Promise<void> {}
  async shutdown(): Promise<void> {}

  /** Sets `name`'s state (and tags) and emits the event a real agent would. */
  change(type: MemberEventType, name: string, state: MemberState, tags?: Tags): void {
    const old = this.table.get(name);
    const m = member(name, state, tags ?? old?.tags ?? {}, (old?.incarnation ?? 0) + 1);
    this.table.set(name, m);
    for (const fn of this.listeners.get(type) ?? []) fn({ type, member: m, previous: old?.state });
  }
}

function member(name: string, state: MemberState, tags: Tags, incarnation = 1): Member {
  return { name, address: `${name}:7946`, state, incarnation, tags, stateChangedAt: 0 };
}

test('lookup, key affinity, the shard map and shards-changed agree on every one of 10,000 keys through joins, failures, suspicions and leaves', () => {
  const zones = ['eu-1', 'eu-2', 'us-1'];
  const initial = Array.from({ length: 24 }, (_, i) => ({ name: `m${i}`, tags: { zone: zones[i % 3]! } }));
  const source = new ScriptedSource(initial);
  const cluster = Cluster.attach(source, { balancer: { algorithm: 'affinity' } }, { random: new SeededRandom(17), now: () => 0 });
  // The data a node would hold if it copied by shards-changed alone.
  let copied = new Map<number, string[]>([...cluster.shards.assignment()].map(([s, o]) => [s, [...o]]));
  cluster.on('shards-changed', (moves) => void (copied = applyMoves(copied, moves)));

  const steps: [string, () => void][] = [
    ['start', () => {}],
    ['3 joins', () => ['m24', 'm25', 'm26'].forEach((n, i) => source.change('join', n, 'alive', { zone: zones[i]! }))],
    ['a failure', () => source.change('failed', 'm3', 'dead')],
    ['a suspicion', () => source.change('suspect', 'm7', 'suspect')],
    ['a leave', () => source.change('left', 'm11', 'left')],
    ['a weight change', () => source.change('update', 'm5', 'alive', { zone: 'eu-2', weight: '2' })],
    ['the suspect refutes, the failed one rejoins', () => (source.change('alive', 'm7', 'alive'), source.change('join', 'm3', 'alive', { zone: 'eu-1' }))],
    ['two failures at once', () => (source.change('failed', 'm0', 'dead'), source.change('failed', 'm13', 'dead'))],
  ];
  for (const [what, step] of steps) {
    step();
    const states = new Map(source.members().map((m) => [m.name, m.state]));
    const replicas = cluster.shards.replicas;
    let checked = 0;
    for (const key of KEYS) {
      const owners = cluster.lookup(key, replicas);
      const shard = cluster.shards.shardForKey(key);
      assert.deepEqual(owners, cluster.shards.ownersForKey(key), `${what}: lookup = shard map for ${key}`);
      assert.deepEqual([...(copied.get(shard) ?? [])].sort(), [...owners].sort(), `${what}: shards-changed replayed = shard map for ${key}`);
      for (const o of owners) assert.ok(states.get(o) === 'alive' || states.get(o) === 'suspect', `${what}: ${o} owns ${key} but is ${states.get(o)}`);
      // Affinity takes the first alive owner, a suspect one only when none is alive.
      const expected = owners.find((o) => states.get(o) === 'alive') ?? owners[0];
      const lease = cluster.balancer.pickOrThrow(key);
      assert.equal(lease.member.name, expected, `${what}: affinity for ${key}`);
      lease.done({ ok: true, latencyMs: 1 });
      checked++;
    }
    assert.equal(checked, KEYS.length);
  }
  assert.ok(!cluster.lookup('key-1', 64).includes('m0'), 'a failed member owns nothing');
});

test('in the simulator, through a join, a crash and a leave: every agent answers the same owners by lookup, affinity and shards', () => {
  const sim = new Simulation({ nodes: 10, seed: 17 });
  sim.joinAll();
  assert.ok(sim.runUntilConverged(30_000) !== null);
  const attach = (i: number): Cluster =>
    Cluster.attach(sim.source(i), { balancer: { algorithm: 'affinity' } }, { random: new SeededRandom(i), now: () => sim.now });
  const clusters = [0, 1, 2].map(attach);
  const keys = KEYS.slice(0, 2000);
  const agree = (what: string): void => {
    const first = clusters[0]!;
    for (const key of keys) {
      const owners = first.lookup(key, 3);
      for (const c of clusters) {
        assert.deepEqual(c.lookup(key, 3), owners, `${what}: ${c.name} and ${first.name} on ${key}`);
        assert.deepEqual(c.shards.ownersForKey(key), owners, `${what}: ${c.name}'s shard map on ${key}`);
        const lease = c.balancer.pickOrThrow(key);
        assert.ok(owners.includes(lease.member.name), `${what}: ${c.name} routes ${key} to an owner`);
        lease.done({ ok: true, latencyMs: 1 });
      }
    }
  };
  agree('converged');
  sim.joinAt(sim.add(), sim.now, [0]);
  assert.ok(sim.runUntilConverged(30_000) !== null);
  agree('after a join');
  sim.kill(5);
  assert.ok(
    sim.runUntil(() => clusters.every((c) => !c.ring.has('n5')), 60_000),
    'n5 declared dead everywhere',
  );
  agree('after a crash');
  sim.leave(7);
  assert.ok(
    sim.runUntil(() => clusters.every((c) => !c.ring.has('n7')), 60_000),
    'n7 left everywhere',
  );
  agree('after a leave');
  for (const key of keys.slice(0, 100)) assert.ok(!clusters[0]!.lookup(key, 9).some((o) => o === 'n5' || o === 'n7'));
});

test('/v1/lookup (an agent with no Cluster of its own) answers as cluster.lookup, with the same shard options', () => {
  const initial = Array.from({ length: 9 }, (_, i) => ({ name: `m${i}`, tags: { zone: `z${i % 3}` } }));
  const source = new ScriptedSource(initial);
  const shards = { shards: 512, replicas: 2 };
  const cluster = Cluster.attach(source, { shards }, { random: new SeededRandom(1), now: () => 0 });
  // The admin functions read only members() and on() from the agent when they keep their own map.
  const agent = { members: () => source.members(), on: (t: MemberEventType, fn: (e: MemberEvent) => void) => source.on(t, fn) } as unknown as Agent;
  const deps = adminDepsFor(agent, { leave: async () => {}, shards });
  for (const step of [
    () => {},
    () => source.change('join', 'm9', 'alive', { zone: 'z0' }),
    () => source.change('failed', 'm4', 'dead'),
    () => source.change('left', 'm2', 'left'),
  ]) {
    step();
    for (const key of KEYS.slice(0, 1000)) {
      for (const n of [1, 2, 5]) assert.deepEqual(deps.lookup!(key, n), cluster.lookup(key, n), `${key} n=${n}`);
    }
  }
});
