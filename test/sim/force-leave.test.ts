/**
 * `phantom force-leave` in the protocol (virtual time): a member every agent holds failed
 * becomes left everywhere at the incarnation it died with; a live member is not touched; a
 * member that was only stalled, or comes back, refutes and is alive again everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';
import * as M from '../../src/core/messages.js';
import { createCodec } from '../../src/wire/codec.js';

const N = 8;
const VICTIM = 3;

function clusterWithDead(seed: number, down: (sim: Simulation) => void): Simulation {
  const sim = new Simulation({ nodes: N, seed });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null, 'the cluster converges');
  down(sim);
  const dead = sim.runUntil(() => sim.running().every((i) => i === VICTIM || sim.view(i, VICTIM) === 'dead'), 60_000);
  assert.ok(dead, 'every other agent holds the victim failed');
  return sim;
}

test('force-leave of a failed member: left at its incarnation on every agent, with a left event', () => {
  const sim = clusterWithDead(11, (s) => s.kill(VICTIM));
  const inc = sim.agent(0).core.member('n3')!.incarnation;
  const leftEvents = new Set<string>();
  sim.onEvent((observer, e) => void (e.type === 'left' && e.member.name === 'n3' && leftEvents.add(observer)));
  sim.agent(0).forceLeave('n3', false);
  assert.equal(sim.agent(0).core.member('n3')!.state, 'left', 'at once on the agent that ran it');
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.view(i, VICTIM) === 'left'), 30_000),
    'left everywhere',
  );
  for (const i of sim.running()) assert.equal(sim.agent(i).core.member('n3')!.incarnation, inc, `n${i} holds it at the incarnation it died with`);
  assert.equal(leftEvents.size, N - 1, 'every running agent heard a left event');
});

test('force-leave of a live member changes nothing', () => {
  const sim = new Simulation({ nodes: N, seed: 12 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  sim.agent(0).forceLeave('n3', false);
  sim.agent(0).forceLeave('n0', false);
  sim.agent(0).forceLeave('nobody', false);
  sim.run(20_000);
  for (const i of sim.running()) for (let j = 0; j < N; j++) assert.equal(sim.view(i, j), 'alive', `n${i} holds n${j} alive`);
});

test('a member force-left while only stalled refutes: alive again everywhere, at a higher incarnation', () => {
  const sim = clusterWithDead(13, (s) => s.pause(VICTIM, 60_000));
  const inc = sim.agent(0).core.member('n3')!.incarnation;
  sim.agent(0).forceLeave('n3', false);
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => i === VICTIM || sim.view(i, VICTIM) === 'left'), 30_000),
    'left everywhere first',
  );
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.view(i, VICTIM) === 'alive'), 180_000),
    'alive again everywhere once it runs',
  );
  for (const i of sim.running()) assert.ok(sim.agent(i).core.member('n3')!.incarnation > inc, `n${i} holds it above ${inc}`);
});

test('a force-left reaching an agent that holds the member alive at that incarnation is dropped there', () => {
  const sim = new Simulation({ nodes: N, seed: 15 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  const inc = sim.agent(1).core.member('n3')!.incarnation;
  // What an agent that holds n3 failed at `inc` gossips after a force-leave.
  sim.agent(1).receive(sim.address(2), createCodec().encode([M.left('n3', inc)]));
  assert.equal(sim.view(1, VICTIM), 'alive', "not believed: a member's own leave raises its incarnation");
  sim.run(10_000);
  for (const i of sim.running()) assert.equal(sim.view(i, VICTIM), 'alive');
  assert.equal(sim.agent(3).core.currentIncarnation, inc, 'nothing to refute');
});

test('an agent that still held the member suspect takes the force-leave by anti-entropy once it holds it failed', () => {
  const sim = new Simulation({ nodes: N, seed: 16 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  sim.kill(VICTIM);
  // n5 stalls through the detection, so it still holds n3 alive when n0 concludes and
  // force-leaves there (a real death now spreads at once: without a laggard, nobody would be).
  const LAGGARD = 5;
  sim.pause(LAGGARD, 20_000);
  assert.ok(sim.runUntil(() => sim.view(0, VICTIM) === 'dead', 60_000));
  const notYet = sim.running().filter((i) => sim.view(i, VICTIM) !== 'dead');
  assert.ok(notYet.includes(LAGGARD), 'the laggard still held n3 live when the force-leave started');
  sim.agent(0).forceLeave('n3', false);
  sim.run(200);
  assert.ok(
    notYet.some((i) => sim.view(i, VICTIM) !== 'left'),
    'they did not take it while they held n3 live',
  );
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.view(i, VICTIM) === 'left'), 120_000),
    'left everywhere in the end',
  );
});

test('with prune the row is forgotten on every agent, anti-entropy does not bring it back, and the name can join again', () => {
  const sim = clusterWithDead(14, (s) => s.kill(VICTIM));
  sim.agent(0).forceLeave('n3', true);
  assert.equal(sim.agent(0).core.member('n3'), undefined, 'forgotten at once on the agent that ran it');
  const gone = (): boolean => sim.running().every((i) => sim.agent(i).core.member('n3') === undefined);
  assert.ok(sim.runUntil(gone, 30_000), 'forgotten on every agent');
  sim.run(120_000);
  assert.ok(gone(), 'still forgotten after several push-pull rounds');
  sim.restart(VICTIM);
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.view(i, VICTIM) === 'alive'), 30_000),
    'the name joins again',
  );
});

test('a departed row of a pruned member from a peer that missed the prune is not adopted back', () => {
  const sim = clusterWithDead(17, (s) => s.kill(VICTIM));
  const inc = sim.agent(1).core.member('n3')!.incarnation;
  sim.agent(0).forceLeave('n3', true);
  assert.ok(
    sim.runUntil(() => sim.running().every((i) => sim.agent(i).core.member('n3') === undefined), 30_000),
    'forgotten everywhere',
  );
  // What a peer that still holds n3 left (it missed the prune) offers in a push-pull.
  const stale = M.pushPull('n2', M.PushPullFlag.reply, 0, 1, [M.agedEntry('n3', sim.address(VICTIM), M.MemberCode.left, inc, [], 5_000)]);
  sim.agent(1).receive(sim.address(2), createCodec().encode([stale]));
  assert.equal(sim.agent(1).core.member('n3'), undefined, 'not adopted');
  sim.run(10_000);
  assert.ok(
    sim.running().every((i) => sim.agent(i).core.member('n3') === undefined),
    'still forgotten everywhere',
  );
});
