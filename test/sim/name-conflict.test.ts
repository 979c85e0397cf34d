/**
 * Issue 18: a second agent started with a name the cluster already holds, at another address.
 * The first keeps its name, both hear of the conflict (a note each, logged by the agent as a
 * warning and an error), and nobody's table flaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import type { Note } from '../../src/core/io.js';

const SEED = Number(process.env.SIM_SEED ?? 1);

function notesOf(sim: Simulation, i: number): Note[] {
  const notes: Note[] = [];
  const core = sim.agent(i).core;
  const step = core.step.bind(core);
  (core as { step: typeof step }).step = (input, now) => {
    const outs = step(input, now);
    for (const o of outs) if (o.type === 'note') notes.push(o.note);
    return outs;
  };
  return notes;
}

test('name conflict: the first keeps its name, both are told, the cluster does not flap', () => {
  // Agent 8 is a second "n3", at its own address.
  const sim = new Simulation({ nodes: 9, seed: SEED, names: (i) => (i === 8 ? 'n3' : `n${i}`) });
  sim.start(0);
  for (let i = 1; i < 8; i++) sim.at(i * 50, () => (sim.start(i), sim.join(i, [0])));
  assert.ok(sim.runUntil(() => sim.running().length === 8 && sim.checkConverged(), 30_000));
  sim.run(5_000);
  const first = notesOf(sim, 3);
  const incBefore = sim.agent(3).core.currentIncarnation;
  const changes: string[] = [];
  sim.onEvent((observer, e) => {
    if (e.member.name === 'n3' && observer !== 'n3') changes.push(`${observer} ${e.type} ${e.member.address}`);
  });
  sim.start(8);
  const second = notesOf(sim, 8);
  sim.join(8, [0]);
  sim.run(120_000);
  for (let i = 0; i < 8; i++) {
    if (i === 3) continue;
    const row = sim.agent(i).core.member('n3');
    assert.equal(row?.address, sim.address(3), `n${i} holds n3 at the first agent's address`);
    assert.equal(row?.state, 'alive');
  }
  // The first may refute the claim once, to stay ahead of it; the second never answers, so the
  // incarnations settle instead of racing.
  assert.ok(
    sim.agent(3).core.currentIncarnation <= incBefore + 1,
    `the first raised its incarnation ${sim.agent(3).core.currentIncarnation - incBefore} times`,
  );
  const settled = [sim.agent(3).core.currentIncarnation, sim.agent(8).core.currentIncarnation];
  sim.run(60_000);
  assert.deepEqual([sim.agent(3).core.currentIncarnation, sim.agent(8).core.currentIncarnation], settled, 'no incarnation race');
  assert.deepEqual(changes, [], 'no membership change about n3 anywhere');
  assert.ok(
    first.some((n) => n.kind === 'name-conflict' && n.role === 'holder' && n.claimant === sim.address(8)),
    'the first is told who claims its name',
  );
  assert.ok(
    second.some((n) => n.kind === 'name-conflict' && n.role === 'claimant' && n.holder === sim.address(3)),
    'the second is told who holds it',
  );
});

test('name conflict that is a move: a crashed agent restarted at another address takes its name back once the old row is dead', () => {
  const sim = new Simulation({ nodes: 9, seed: SEED, names: (i) => (i === 8 ? 'n3' : `n${i}`) });
  sim.start(0);
  for (let i = 1; i < 8; i++) sim.at(i * 50, () => (sim.start(i), sim.join(i, [0])));
  assert.ok(sim.runUntil(() => sim.running().length === 8 && sim.checkConverged(), 30_000));
  sim.run(5_000);
  sim.kill(3);
  sim.start(8);
  sim.join(8, [0]);
  const movedEverywhere = (): boolean =>
    [0, 1, 2, 4, 5, 6, 7].every((i) => {
      const row = sim.agent(i).core.member('n3');
      return row?.state === 'alive' && row.address === sim.address(8);
    });
  const start = sim.now;
  assert.ok(sim.runUntil(movedEverywhere, 60_000, 50), 'every agent holds n3 at its new address');
  assert.ok(sim.now - start <= 15_000, `moved after ${sim.now - start} ms`);
});
