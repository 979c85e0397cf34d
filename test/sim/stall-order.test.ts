/**
 * Finding 8 of issue 18: after a pause, libuv may hand the agent a queued packet before its
 * overdue timer. Stall detection must see the stall either way; before the fix it saw it only
 * when the timer ran first, and a probe that ran out while we slept then failed in the first
 * tick after the stall, with no time for the indirect acks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, type ResumeOrder } from '../../src/sim/index.js';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const SEED = Number(process.env.SIM_SEED ?? 3);
const PAUSES = 30;

/** n0 stalls 1.5 s every 2.1 s, 30 times: every stall outlasts any deadline it had asked for. */
function stallsSeen(resumeOrder: ResumeOrder): number {
  const sim = new Simulation({ nodes: 5, seed: SEED, resumeOrder, config: { lifeguardAwareness: false } });
  sim.joinAll({ spreadMs: 200 });
  sim.runUntilConverged(10_000);
  const before = sim.agent(0).core.counters().stalls;
  for (let k = 0; k < PAUSES; k++) sim.at(sim.now + 500 + k * 2100, () => sim.pause(0, 1500));
  sim.run(PAUSES * 2100 + 2000);
  return sim.agent(0).core.counters().stalls - before;
}

for (const order of ['timers-first', 'packets-first', 'either'] as const) {
  test(`stall detection: every stall is seen when the agent resumes ${order}`, () => {
    assert.equal(stallsSeen(order), PAUSES, `seed ${SEED}`);
  });
}

test('stall detection: a packet read before the overdue timer reveals the stall; the probe that ran out is not failed', () => {
  const codec = createCodec();
  const a = new Swim({ name: 'a', address: 'a-addr', config: lan }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, 0);
  a.step({ type: 'packet', from: 'x', messages: ['b', 'c', 'd'].map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);
  let pingAt = -1;
  for (let i = 0; i < 100 && pingAt < 0; i++) {
    const t = a.nextDeadline();
    if (a.step({ type: 'tick' }, t).some((o) => o.type === 'send' && o.messages[0]!.type === M.MsgType.Ping)) pingAt = t;
  }
  assert.ok(pingAt >= 0, 'a probe went out');
  a.nextDeadline();
  // We slept through the probe's whole period; the first thing the loop hands us is a packet.
  const late = pingAt + 2_000;
  const outs = [
    ...a.step({ type: 'packet', from: 'c-addr', messages: [M.ping(99, 'a', 'c', 4)] }, late),
    ...a.step({ type: 'tick' }, Math.max(late, a.nextDeadline())),
  ];
  assert.equal(a.counters().stalls, 1);
  assert.ok(!outs.some((o) => o.type === 'note' && o.note.kind === 'probe-failed'), 'no probe failed');
  assert.ok(!outs.some((o) => o.type === 'event' && o.event.type === 'suspect'));
});
