import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';

// Issue 16: after a join burst every agent kept gossiping old join news at the packet budget for
// tens of seconds (2000 agents: ~580 updates queued per agent, 15 s of full packets after every
// table was complete), because the membership queue had no bound. Scaled down: 300 agents
// within one second and a bound of 64 updates (the default, 256, is sized for bursts of
// thousands) show the same thing. A bound below the burst costs some convergence time (joins
// then travel by catch-up sync more than by gossip: with 64, 0.1 to 0.6 s over seeds 11 to 13;
// with 24, 1.4 s), so the test holds convergence to within one probe interval.

function burst(updateQueueMax: number) {
  const sim = new Simulation({ nodes: 300, seed: 11, config: { updateQueueMax } });
  sim.joinAll({ spreadMs: 1000 });
  const convergedAt = sim.runUntilConverged(60_000);
  assert.notEqual(convergedAt, null, `converged (updateQueueMax ${updateQueueMax})`);
  let pending = 0;
  let drops = 0;
  for (const i of sim.running()) {
    pending += sim.agent(i).core.pendingBroadcasts;
    drops += sim.agent(i).core.counters().updateQueueDrops;
  }
  return { convergence: sim.joinConvergenceMs()!, pending, drops };
}

test('a bounded membership queue ends a join burst’s gossip soon after the tables are complete, without slowing convergence', () => {
  const unbounded = burst(1_000_000);
  const bounded = burst(64);
  assert.equal(unbounded.drops, 0);
  assert.ok(unbounded.pending > 300 * 20, `without a bound, old join news still queued once every table is complete (${unbounded.pending} updates)`);
  assert.ok(bounded.drops > 0, 'the bound dropped the most-sent updates');
  assert.ok(bounded.pending < unbounded.pending / 10, `with the bound, the queues are (nearly) empty (${bounded.pending} updates)`);
  assert.ok(bounded.convergence <= unbounded.convergence + 1000, `convergence ${bounded.convergence} ms against ${unbounded.convergence} ms unbounded`);
});
