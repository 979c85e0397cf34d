/**
 * Our own incarnation at the top (issue 18): a tag change and a leave each raise it, and no agent
 * takes an alive above 2^53 - 1 or a `left` above 2^53 - 2 (precedence.ts, incarnation bounds).
 * At the top, a tag change is refused and a leave stops us without a `left` nobody would take.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import { lan } from '../../src/config.js';
import { MAX_INCARNATION, incarnationAllowed } from '../../src/core/precedence.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { codec, events, learn, notes, runTo, sends } from './trace.js';

const at = (incarnation: number) =>
  new Swim({ name: 'a', address: 'a-addr', config: lan, incarnation }, { random: new SeededRandom(1), sizeOf: codec.sizeOf }, 0);
/** Every incarnation we put on the wire about ourselves, and whether a receiver that holds us at `held` would take it. */
function ownClaims(outs: ReturnType<typeof runTo>, held: number): { type: number; inc: number; taken: boolean }[] {
  return sends(outs)
    .flatMap((s) => s.messages)
    .filter((m): m is M.Alive | M.Left => (m.type === M.MsgType.Alive || m.type === M.MsgType.Left) && m.name === 'a')
    .map((m) => ({ type: m.type, inc: m.inc, taken: incarnationAllowed(m.type === M.MsgType.Alive ? 'alive' : 'left', m.inc, held) }));
}

test('a tag change at the top incarnation is refused, tags unchanged, with a note', () => {
  const a = at(MAX_INCARNATION - 1);
  learn(a, 'b', 'c');
  assert.equal(a.canRaiseIncarnation, true);
  a.step({ type: 'set-tags', tags: { zone: 'x' } }, 10);
  assert.equal(a.currentIncarnation, MAX_INCARNATION, 'the last one every agent takes');
  assert.equal(a.canRaiseIncarnation, false);
  const outs = a.step({ type: 'set-tags', tags: { zone: 'y' } }, 20);
  assert.deepEqual(notes(outs, 'incarnation-exhausted'), [{ kind: 'incarnation-exhausted', action: 'set-tags', incarnation: MAX_INCARNATION }]);
  assert.equal(a.currentIncarnation, MAX_INCARNATION);
  assert.ok(Number.isSafeInteger(a.currentIncarnation));
  assert.deepEqual(a.member('a')!.tags, { zone: 'x' }, 'the refused change is not applied here either');
  const claims = ownClaims(runTo(a, 2_000), MAX_INCARNATION - 1);
  assert.ok(claims.length > 0);
  assert.ok(
    claims.every((c) => c.taken && c.inc === MAX_INCARNATION),
    JSON.stringify(claims),
  );
});

test('a leave at the top stops at once without a `left` nobody would take', () => {
  for (const start of [MAX_INCARNATION, MAX_INCARNATION - 1]) {
    const a = at(start);
    learn(a, 'b', 'c');
    const outs = [...a.step({ type: 'leave' }, 10).map((o) => ({ ...o, at: 10 })), ...runTo(a, 5_000)];
    assert.deepEqual(notes(outs, 'incarnation-exhausted'), [{ kind: 'incarnation-exhausted', action: 'leave', incarnation: start }]);
    assert.deepEqual(events(outs), ['left:a']);
    assert.ok(outs.some((o) => o.type === 'left'));
    assert.equal(a.stopped, true);
    assert.equal(a.currentIncarnation, start);
    assert.deepEqual(
      ownClaims(outs, start).filter((c) => c.type === M.MsgType.Left),
      [],
    );
  }
});

test('one below, a leave is announced as usual, at an incarnation every agent takes', () => {
  const a = at(MAX_INCARNATION - 2);
  learn(a, 'b', 'c');
  const outs = [...a.step({ type: 'leave' }, 10).map((o) => ({ ...o, at: 10 })), ...runTo(a, 5_000)];
  assert.deepEqual(notes(outs, 'incarnation-exhausted'), []);
  const lefts = ownClaims(outs, MAX_INCARNATION - 2).filter((c) => c.type === M.MsgType.Left);
  assert.ok(lefts.length > 0);
  assert.ok(lefts.every((c) => c.taken && c.inc === MAX_INCARNATION - 1));
});

test('an accusation may not raise a member to the top, but one at the top it already holds is taken', () => {
  assert.equal(incarnationAllowed('suspect', MAX_INCARNATION, MAX_INCARNATION - 1), false, 'it could not refute');
  assert.equal(incarnationAllowed('suspect', MAX_INCARNATION, MAX_INCARNATION), true, 'else a member at the top is never found dead');
  assert.equal(incarnationAllowed('dead', MAX_INCARNATION, MAX_INCARNATION), true);
  assert.equal(incarnationAllowed('left', MAX_INCARNATION, MAX_INCARNATION - 1), false);
  assert.equal(incarnationAllowed('alive', MAX_INCARNATION, MAX_INCARNATION - 1), true, 'the refutation');
});
