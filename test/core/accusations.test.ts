/**
 * Who may shorten or end a suspicion (issue 18, finding 3, the parts outside probation):
 * - the multi-observer rule holds when `suspect` then `dead` arrive in one packet;
 * - accusers must be members we hold live: made-up names do not count as confirmations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';
import { removalFloorMs } from '../../src/core/timing.js';

const codec = createCodec();
const make = () => new Swim({ name: 'a', address: 'a-addr', config: lan }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, 0);
const learn = (core: Swim, names: string[]) => core.step({ type: 'packet', from: 'x', messages: names.map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);
const tickTo = (core: Swim, until: number) => {
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) core.step({ type: 'tick' }, t);
};

test('suspect then dead in one packet, from one member, is one accusation: the member is suspect, not dead', () => {
  const a = make();
  learn(a, ['b', 'c', 'd', 'e']);
  a.step({ type: 'packet', from: 'c-addr', messages: [M.suspect('b', 0, 'c'), M.dead('b', 0, 'c')] }, 10);
  assert.equal(a.member('b')!.state, 'suspect');
});

// Under the removal floor, a dead verdict about a member we suspect ends the suspicion only once
// it has its independent confirmations (`confirmers`, 3) besides the verdict's sender: two
// faulty agents' word must not kill (Rapid's egress loss at 256 agents had such verdicts).
test('a dead verdict about a member we suspect is only an accusation until the suspicion has its confirmations', () => {
  const a = make();
  learn(a, ['b', 'c', 'd', 'e', 'f', 'g']);
  a.step({ type: 'packet', from: 'c-addr', messages: [M.suspect('b', 0, 'c')] }, 10);
  a.step({ type: 'packet', from: 'd-addr', messages: [M.dead('b', 0, 'd')] }, 20);
  assert.equal(a.member('b')!.state, 'suspect', 'two observers are not enough');
  for (const [k, by] of ['e', 'f'].entries()) a.step({ type: 'packet', from: `${by}-addr`, messages: [M.suspect('b', 0, by)] }, 30 + k);
  a.step({ type: 'packet', from: 'g-addr', messages: [M.dead('b', 0, 'g')] }, 40);
  assert.equal(a.member('b')!.state, 'dead', 'a verdict on top of three other accusers ends it');
});

for (const [label, by] of [
  ['the first accuser again', 'c'],
  ['a made-up name', 'zz'],
  ['the suspect itself', 'b'],
] as const) {
  test(`a dead verdict from ${label} about a member we suspect is only an accusation`, () => {
    const a = make();
    learn(a, ['b', 'c', 'd', 'e', 'f', 'g']);
    a.step({ type: 'packet', from: 'c-addr', messages: [M.suspect('b', 0, 'c')] }, 10);
    a.step({ type: 'packet', from: 'x', messages: [M.dead('b', 0, by)] }, 20);
    assert.equal(a.member('b')!.state, 'suspect');
  });
}

for (const [label, accusers, deadAfterOneInterval] of [
  ['three live members', ['d', 'e', 'f'], true],
  ['three made-up names', ['x1', 'x2', 'x3'], false],
  ['the suspect itself', ['b', 'b', 'b'], false],
] as const) {
  // Enough independent confirmations end a suspicion at the removal floor (suspicionMult probe
  // intervals: a stall shorter than that is survived); made-up names must not count towards it.
  test(`confirmations from ${label} ${deadAfterOneInterval ? 'do' : 'do not'} cut a suspicion to the removal floor`, () => {
    const a = make();
    learn(a, ['b', 'c', 'd', 'e', 'f', 'g']);
    a.step({ type: 'packet', from: 'c-addr', messages: [M.suspect('b', 0, 'c')] }, 10);
    accusers.forEach((by, k) => a.step({ type: 'packet', from: 'x', messages: [M.suspect('b', 0, by)] }, 20 + k));
    tickTo(a, 10 + removalFloorMs(lan.suspicionMult, lan.probeIntervalMs));
    assert.equal(a.member('b')!.state, deadAfterOneInterval ? 'dead' : 'suspect');
  });
}
