/**
 * Issue 18: under 10% random loss, suspicions of live members must not outnumber Serf's. One
 * direct ping and ack fail together about 19% of the time; memberlist rescues those probes with a
 * TCP ping, we re-send the direct ping (`probeRetries`). Seeded, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import type { ProtocolConfig } from '../../src/config.js';

/** Distinct suspicions (member and incarnation) raised about live members in `ms` under `loss`. */
function suspicionsUnderLoss(seed: number, config: Partial<ProtocolConfig>, ms: number): number {
  const sim = new Simulation({ nodes: 16, seed, config });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(60_000), null, 'converged');
  sim.link('all', 'all', { loss: 0.1 });
  const raised = new Set<string>();
  sim.onEvent((_observer, e) => {
    if (e.type === 'suspect') raised.add(`${e.member.name}@${e.member.incarnation}`);
  });
  sim.run(ms);
  assert.equal(sim.report().falsePositives, 0, 'nobody declared dead');
  return raised.size;
}

test('10% loss, 16 agents, 60 s: direct retries keep live members from being suspected', () => {
  let without = 0;
  let withRetries = 0;
  for (const seed of [1, 2]) {
    without += suspicionsUnderLoss(seed, { probeRetries: 0 }, 60_000);
    withRetries += suspicionsUnderLoss(seed, {}, 60_000);
  }
  // Without retries about 0.8% of probes fail (16 probes a second): some 7 suspicions a minute.
  assert.ok(without >= 5, `the loss is felt without retries (${without} suspicions over 2 seeds)`);
  assert.ok(withRetries <= 2, `at most 2 suspicions over 2 seeds with the default retries, got ${withRetries} (${without} without)`);
});

test('a killed member is still declared dead on time under 10% loss with retries', () => {
  const sim = new Simulation({ nodes: 16, seed: 3 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(60_000), null, 'converged');
  sim.link('all', 'all', { loss: 0.1 });
  sim.run(5_000);
  const killedAt = sim.now;
  sim.kill(5);
  const everywhere = (): boolean => sim.running().every((i) => sim.view(i, 5) === 'dead');
  assert.ok(sim.runUntil(everywhere, 30_000, 10), 'dead everywhere within 30 s');
  // lan: found within a few probe intervals, then the 4 s removal floor; the retries change neither.
  assert.ok(sim.now - killedAt <= 12_000, `dead everywhere ${sim.now - killedAt} ms after the kill`);
});
