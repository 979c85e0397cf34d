/**
 * An accusation of a member that left: the accuser missed the `left`. It is told straight away,
 * in a small datagram of its own, instead of waiting for gossip to happen to pick it (in a
 * 40-agent churn run an agent that missed a leave held the member suspect, then failed, 40 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import type { Output } from '../../src/core/io.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();
const addr = (n: string) => `127.0.1.${n.charCodeAt(0) % 250}:7946`;
const sends = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'send' }> => o.type === 'send');

test('a suspicion of a member we hold left is answered to the accuser with the left, bare', () => {
  const core = new Swim({ name: 'a', address: addr('a'), config: lan }, { random: new SeededRandom(1), sizeOf: codec.sizeOf }, 0);
  core.step({ type: 'packet', from: addr('b'), messages: [M.alive('b', addr('b'), 0, []), M.alive('m', addr('m'), 0, [])] }, 0);
  core.step({ type: 'packet', from: addr('m'), messages: [M.left('m', 1)] }, 10);
  assert.equal(core.member('m')?.state, 'left');
  const out = core.step({ type: 'packet', from: addr('c'), messages: [M.suspect('m', 0, 'b')] }, 20);
  const toAccuser = sends(out).filter((s) => s.to === addr('b'));
  assert.deepEqual(
    toAccuser.map((s) => s.messages),
    [[M.left('m', 1)]],
    'the accuser b hears the left from us, alone',
  );
  const fromStranger = core.step({ type: 'packet', from: addr('c'), messages: [M.suspect('m', 0, 'nobody')] }, 30);
  assert.equal(
    sends(fromStranger).filter((s) => s.messages.length === 1 && s.messages[0]!.type === M.MsgType.Left).length,
    0,
    'an accuser we do not hold live gets nothing',
  );
});
