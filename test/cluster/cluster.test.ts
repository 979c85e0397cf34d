/** The Cluster facade on agents in the simulator: ring, shards and balancer follow membership. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { Cluster } from '../../src/cluster.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createLogger } from '../../src/agent/log.js';

const SEED = Number(process.env.SIM_SEED ?? 3);

test('a Cluster in the simulator stops routing to a killed member once it is declared dead', () => {
  const sim = new Simulation({ nodes: 12, seed: SEED });
  sim.joinAll();
  assert.ok(sim.runUntilConverged(30_000) !== null);
  const cluster = Cluster.attach(sim.source(0), { balancer: { algorithm: 'round-robin' } }, { random: new SeededRandom(SEED), clock: sim.virtualClock() });
  assert.equal(cluster.activeSize, 12);
  const picked = new Set<string>();
  for (let i = 0; i < 120; i++) {
    const lease = cluster.balancer.pickOrThrow();
    picked.add(lease.member.name);
    lease.done({ ok: true, latencyMs: 1 });
  }
  assert.ok(picked.has('n7'), 'n7 serves while alive');
  let failedAt = -1;
  let shardsMoved = 0;
  cluster.on('failed', (e) => {
    if (e.member.name === 'n7') failedAt = sim.now;
  });
  cluster.on('shards-changed', (moves) => (shardsMoved += moves.length));
  sim.kill(7);
  assert.ok(
    sim.runUntil(() => failedAt >= 0, 30_000),
    'n7 declared dead',
  );
  for (let i = 0; i < 1200; i++) {
    const lease = cluster.balancer.pickOrThrow();
    assert.notEqual(lease.member.name, 'n7', 'never routed to after it failed');
    lease.done({ ok: true, latencyMs: 1 });
  }
  assert.ok(!cluster.ring.has('n7'), 'off the ring');
  assert.ok(!cluster.lookup('some-key', 3).includes('n7'));
  for (const s of cluster.shards.allShards()) assert.ok(!s.owners.includes('n7'));
  assert.ok(shardsMoved > 0, 'its shards moved to others');
  assert.equal(cluster.isHealthy().healthy, true);
});

test('every live agent builds the same ring and shard map after a join burst and a kill', () => {
  const sim = new Simulation({ nodes: 30, seed: SEED });
  const clusters: Cluster[] = [];
  sim.joinAll();
  sim.run(1100); // every agent has started
  for (const i of sim.running()) clusters.push(Cluster.attach(sim.source(i), {}, { random: new SeededRandom(i), clock: sim.virtualClock() }));
  assert.ok(sim.runUntilConverged(30_000) !== null);
  sim.kill(5);
  sim.run(30_000);
  const live = clusters.filter((c) => c.name !== 'n5');
  const rings = new Set(live.map((c) => c.ring.checksum()));
  const shards = new Set(live.map((c) => c.shards.checksum()));
  assert.equal(rings.size, 1, 'one ring checksum');
  assert.equal(shards.size, 1, 'one shard map');
  assert.ok(!live[0]!.ring.has('n5'));
});

test('health: unhealthy when too few members are alive, with the reason', () => {
  const sim = new Simulation({ nodes: 6, seed: SEED });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  const cluster = Cluster.attach(sim.source(0), { health: { minAliveShare: 0.9 } }, { random: new SeededRandom(1), clock: sim.virtualClock() });
  assert.deepEqual(cluster.isHealthy(), { healthy: true });
  sim.kill(4);
  sim.run(30_000);
  const h = cluster.isHealthy();
  assert.equal(h.healthy, false);
  assert.match(!h.healthy ? h.reason : '', /only 5 of 6 members alive/);
});

test('a listener that throws is logged with the event that caused it; the others still hear it', () => {
  const sim = new Simulation({ nodes: 4, seed: SEED });
  sim.joinAll();
  assert.ok(sim.runUntilConverged(30_000) !== null);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', pretty: false, write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  const cluster = Cluster.attach(sim.source(0), {}, { random: new SeededRandom(SEED), clock: sim.virtualClock(), logger });
  const heard: string[] = [];
  cluster.on('failed', () => {
    throw new Error('listener bug');
  });
  cluster.on('failed', (e) => heard.push(e.member.name));
  sim.kill(2);
  assert.ok(
    sim.runUntil(() => heard.length > 0, 30_000),
    'n2 declared dead',
  );
  assert.deepEqual(heard, ['n2']);
  const line = lines.find((l) => l.msg === 'a cluster event listener threw');
  assert.ok(line, 'logged');
  assert.equal(line.event, 'failed');
  assert.equal(line.member, 'n2');
  assert.match(JSON.stringify(line.err), /listener bug/);
});

test('time comes from one place: in the simulator, shards-changed comes 100 virtual ms after the ring changed, with no real time passing', () => {
  const sim = new Simulation({ nodes: 4, seed: SEED });
  for (let i = 0; i < 3; i++) {
    sim.start(i);
    if (i > 0) sim.join(i, [0]);
  }
  assert.ok(sim.runUntil(() => sim.checkConverged(), 30_000));
  const cluster = Cluster.attach(sim.source(0), {}, { random: new SeededRandom(SEED), clock: sim.virtualClock() });
  let ringAt: number | undefined;
  let shardsAt: number | undefined;
  cluster.on('ring-changed', () => (ringAt ??= sim.now));
  cluster.on('shards-changed', () => (shardsAt ??= sim.now));
  sim.start(3);
  sim.join(3, [0]);
  // Synchronous from here on: a real-time timer could not fire inside these runs.
  assert.ok(
    sim.runUntil(() => shardsAt !== undefined, 10_000, 10),
    'shards placed in virtual time',
  );
  assert.equal(shardsAt! - ringAt!, 100, 'the coalescing wait is virtual: 100 ms after the first ring change');
});
