import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';
import { runScenario } from '../../src/sim/scenario.js';

// Issue 16: hosts of a big cluster boot over minutes, not in one second, and list several seeds.

test('joinAll with seeds and a spread: starts over the whole spread, each joining through one of the seeds', () => {
  const firstTo = new Map<string, string>();
  const sim = new Simulation({
    nodes: 30,
    seed: 3,
    onSend: (from, to) => {
      if (!firstTo.has(from)) firstTo.set(from, to);
    },
  });
  sim.joinAll({ seeds: [0, 1, 2], spreadMs: 8000 });
  assert.deepEqual(sim.running(), [0, 1, 2], 'the seeds start at once, the rest later');
  sim.run(4000);
  const half = sim.running().length;
  assert.ok(half > 5 && half < 28, `about half started after half the spread (${half})`);
  assert.equal(sim.checkConverged(), false, 'not converged while starts are pending');
  assert.notEqual(sim.runUntilConverged(30_000), null);
  assert.ok(sim.joinConvergenceMs()! >= 0);
  const seeds = new Set([0, 1, 2].map((i) => sim.address(i)));
  const via = new Set<string>();
  for (let i = 3; i < 30; i++) {
    const to = firstTo.get(sim.name(i))!;
    assert.ok(seeds.has(to), `${sim.name(i)} joined through a seed (first packet to ${to})`);
    via.add(to);
  }
  assert.equal(via.size, 3, 'the bootstrap load is spread over the seeds');
});

test('scenario: joinAll seeds and add with spread start the newcomers within the spread, and they all converge', () => {
  const { failures, simulation } = runScenario({
    nodes: 6,
    seed: 2,
    steps: [
      { do: 'joinAll', seeds: [0, 1], spread: '2s' },
      { expect: 'converged', within: '30s' },
      { do: 'add', count: 8, through: 'all', spread: '6s' },
      { do: 'run', for: '3s' },
      { expect: 'converged', within: '40s' },
    ],
  });
  assert.deepEqual(failures, []);
  assert.equal(simulation.size, 14);
  assert.equal(simulation.running().length, 14);
});

test('scenario: add with spread does not count as converged before the newcomers started', () => {
  const { failures } = runScenario({
    nodes: 4,
    steps: [
      { do: 'joinAll' },
      { expect: 'converged', within: '30s' },
      { do: 'add', count: 5, spread: '10s' },
      { do: 'run', for: '4s' },
      { expect: 'converged', within: '0s' },
    ],
  });
  assert.equal(failures.length, 1, `4 s into a 10 s spread, some newcomers have not started: ${failures.join('; ')}`);
  assert.match(failures[0]!, /converged/);
});
