import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { fnv1a } from '../../src/core/hash.js';

// Issue 16: the simulator's own measures must not cost N² per report or per event at 10,000
// agents, and must still say what they said.

test('the trace hash is the FNV-1a of one line per membership event, folded without building the lines', () => {
  const sim = new Simulation({ nodes: 12, seed: 4 });
  let expected = 0x811c9dc5;
  sim.onEvent((observer, e, now) => {
    expected = fnv1a(expected, `${now}|${observer}|${e.type}|${e.member.name}|${e.member.incarnation}\n`);
  });
  sim.joinAll();
  sim.run(8000);
  sim.kill(3);
  sim.run(10_000);
  assert.equal(sim.report().traceHash, expected.toString(16).padStart(8, '0'));
});

test('agreement compares table digests: the same verdict and count as the checksums', () => {
  const sim = new Simulation({ nodes: 10, seed: 5 });
  sim.joinAll();
  assert.ok(sim.runUntil(() => sim.checkConverged(), 30_000));
  sim.run(2000);
  let r = sim.report();
  assert.equal(r.agreement, true);
  assert.equal(r.distinctChecksums, new Set(sim.checksums().values()).size);
  // Cut one agent off and kill another: the two sides disagree until healed.
  sim.partition([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  sim.kill(9);
  sim.run(15_000);
  r = sim.report();
  const sums = new Set(sim.checksums().values()).size;
  assert.ok(sums > 1);
  assert.equal(r.agreement, false);
  assert.equal(r.distinctChecksums, sums);
});
