/**
 * Anti-entropy repairs missed user events (as Serf's push-pull carries its recent events): an
 * agent cut off while events went round hears them once it is back, from the push-pulls that
 * bring its table up to date, without anyone sending them again by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';

const N = 12;
const CUT = 11;

function heard(sim: Simulation): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  sim.onUserEvent((observer, e) => {
    let s = by.get(observer);
    if (!s) by.set(observer, (s = new Set()));
    s.add(e.name);
  });
  return by;
}

test('an agent cut off during 10 events hears every one of them after the partition heals', () => {
  const sim = new Simulation({ nodes: N, seed: 21 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null, 'the cluster converges');
  const by = heard(sim);
  sim.partition([[...Array(N).keys()].filter((i) => i !== CUT), [CUT]]);
  for (let k = 0; k < 10; k++) {
    sim.agent(k % 3).event(`deploy-${k}`, new Uint8Array([k]), false);
    sim.run(1_000);
  }
  sim.run(10_000);
  assert.equal(by.get('n0')?.size, 10, 'the majority heard every event');
  assert.equal(by.get(sim.name(CUT))?.size ?? 0, 0, 'the cut-off agent heard none');
  sim.heal();
  const all = (): boolean => sim.running().every((i) => by.get(sim.name(i))?.size === 10);
  assert.ok(sim.runUntil(all, 120_000), `every agent heard all 10 events (the cut-off one: ${by.get(sim.name(CUT))?.size ?? 0})`);
});

test('an agent that joins after events were sent is not handed them (as a Serf agent joins without -replay)', () => {
  const sim = new Simulation({ nodes: N, seed: 22 });
  const late = N - 1;
  for (let i = 0; i < late; i++) sim.start(i);
  for (let i = 1; i < late; i++) sim.join(i, [0]);
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.agent(i).members().length === late), 30_000),
    'the first 11 converge',
  );
  const by = heard(sim);
  for (let k = 0; k < 5; k++) sim.agent(k).event(`old-${k}`, new Uint8Array(0), false);
  sim.run(5_000);
  assert.equal(by.get('n0')?.size, 5);
  sim.start(late);
  sim.join(late, [0]);
  sim.run(120_000);
  assert.equal(by.get(sim.name(late))?.size ?? 0, 0, 'the newcomer handled none of the old events');
  sim.agent(1).event('new', new Uint8Array(0), false);
  assert.ok(
    sim.runUntil(() => by.get(sim.name(late))?.has('new') === true, 10_000),
    'and hears the next one',
  );
});
