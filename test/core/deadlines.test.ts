/**
 * The core's deadline always moves: after a tick at t, nextDeadline() is later than t or
 * Infinity. A deadline left in the past makes a real agent spin its event loop and a simulation
 * stand still (issue 18, finding 10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import { resolveConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();
// Gossip slow enough that a leave lasts longer than the vetting deadlines below (as it does in a
// big cluster, where the `left` competes with a queue full of news).
const config = resolveConfig({ gossipIntervalMs: 1000, leaveTimeoutMs: 5000 });
const make = (name: string) => new Swim({ name, address: `${name}-addr`, config }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, 0);

/** Tick at each deadline, at most `max` times; fail at the first tick that leaves the deadline where it was. */
function tickUntilStopped(core: Swim, max: number): number {
  let ticks = 0;
  for (let t = core.nextDeadline(); Number.isFinite(t) && ticks < max; ticks++) {
    core.step({ type: 'tick' }, t);
    const next = core.nextDeadline();
    assert.ok(next > t, `after a tick at ${t} ms the deadline is ${next} ms: it did not move`);
    t = next;
  }
  return ticks;
}

test('a leaving agent with a confirmation check not yet started does not spin on it', () => {
  const a = make('a');
  a.step({ type: 'packet', from: 'x', messages: ['b', 'c', 'd'].map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);
  // With 4 members and 3 confirmers, a is one of b's checkers: a check of b is scheduled.
  a.step({ type: 'packet', from: 'c-addr', messages: [M.suspect('b', 0, 'c')] }, 10);
  a.step({ type: 'leave' }, 10);
  tickUntilStopped(a, 10_000);
  assert.equal(a.stopped, true, 'the leave ended');
  assert.equal(a.nextDeadline(), Infinity);
});

test('a leaving agent with a member on probation does not spin on its check', () => {
  const a = make('a');
  a.step({ type: 'packet', from: 'x', messages: ['b', 'c', 'd'].map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);
  a.step({ type: 'packet', from: 'c-addr', messages: [M.dead('b', 0, 'c'), M.dead('b', 0, 'd')] }, 5);
  // Force b dead whatever the multi-observer rule makes of it: a's own suspicion runs out.
  for (let t = a.nextDeadline(); a.member('b')!.state !== 'dead' && t < 60_000; t = a.nextDeadline()) a.step({ type: 'tick' }, t);
  assert.equal(a.member('b')!.state, 'dead');
  const at = a.nextDeadline();
  a.step({ type: 'packet', from: 'b-addr', messages: [M.alive('b', 'b-addr', 1, [])] }, at);
  a.step({ type: 'leave' }, at);
  tickUntilStopped(a, 10_000);
  assert.equal(a.stopped, true, 'the leave ended');
});
