/**
 * Step traces of anti-entropy (anti-entropy.ts): the periodic digest round and its answers, the
 * return-address cookie, re-dials of failed members, and reaping. Exact sends and times with a
 * seeded Random and injected `now`; expected values come from the profile and the table itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/core/messages.js';
import { lan, resolveConfig } from '../../src/config.js';
import { MembershipTable } from '../../src/core/membership.js';
import { deliver, firsts, learn, make, notes, runAnswered, runTo, runUntilOutput, sends } from './trace.js';

/** The digest of a table holding these rows (alive, incarnation 0, at `${name}-addr`). */
function digestOf(...names: string[]): number {
  const t = new MembershipTable();
  for (const n of names) t.apply({ name: n, state: 'alive', incarnation: 0, address: `${n}-addr` }, 0);
  return t.digest;
}

test('periodic anti-entropy: a digest to one live member, once per interval after a random phase', () => {
  const a = make('a');
  learn(a, 'b', 'c');
  const outs = runAnswered(a, 2 * lan.pushPullIntervalMs, ['b-addr', 'c-addr']);
  const digests = outs.filter((o) => o.type === 'send' && o.messages[0]!.type === M.MsgType.Digest);
  assert.equal(digests.length, 1, 'one round in the first two intervals');
  const [d] = digests;
  assert.ok(d!.type === 'send');
  assert.ok(d!.at >= lan.pushPullIntervalMs && d!.at < 2 * lan.pushPullIntervalMs, `the first round after a phase in [1, 2) intervals (${d!.at})`);
  assert.ok(['b-addr', 'c-addr'].includes(d!.to));
  assert.deepEqual(d!.messages[0], M.digest('a', digestOf('a', 'b', 'c'), 3));
  assert.deepEqual(notes(outs, 'push-pull'), [{ kind: 'push-pull', peer: d!.to, reason: 'periodic' }]);
});

test('a digest is answered with the full state only when the tables differ, and only to a proven address', () => {
  const b = make('b');
  learn(b, 'a', 'c');
  const same = M.digest('a', digestOf('a', 'b', 'c'), 3);
  assert.deepEqual(sends(deliver(b, 'a-addr', 10, same)), [], 'equal digests: nothing to say');
  const differ = M.digest('a', digestOf('a', 'b'), 2);
  const full = firsts(deliver(b, 'a-addr', 20, differ), M.MsgType.PushPull);
  assert.equal(full.length, 1);
  assert.equal(full[0]!.to, 'a-addr');
  assert.equal(full[0]!.m.flags, 0);
  assert.deepEqual(full[0]!.m.entries.map((e) => e.name).sort(), ['a', 'b', 'c']);

  // From an address that is no member's: a cookie, no bigger than the digest, and nothing else.
  const outs = deliver(b, 'z-addr', 30, differ);
  const [only, ...rest] = sends(outs);
  assert.deepEqual(rest, []);
  assert.equal(only!.to, 'z-addr');
  assert.equal(only!.messages.length, 1);
  const c = only!.messages[0] as M.Cookie;
  assert.equal(c.type, M.MsgType.Cookie);
  assert.deepEqual(notes(outs, 'dropped'), [{ kind: 'dropped', reason: 'unproven-address', from: 'z-addr' }]);
  // The same digest with the cookie echoed: the sender receives there, so it gets the state.
  const echoed = firsts(deliver(b, 'z-addr', 40, M.cookie(c.seq, 'z'), differ), M.MsgType.PushPull);
  assert.equal(echoed.length, 1);
  assert.equal(echoed[0]!.to, 'z-addr');
  // A cookie issued to one address proves nothing for another.
  assert.deepEqual(firsts(deliver(b, 'y-addr', 50, M.cookie(c.seq, 'y'), differ), M.MsgType.PushPull), []);
});

test('a challenged join is sent again with the cookie, once', () => {
  const a = make('a');
  const [push] = firsts(a.step({ type: 'join', id: 1, seeds: ['s-addr'] }, 0), M.MsgType.PushPull);
  assert.equal(push!.m.flags, M.PushPullFlag.join);
  const again = sends(deliver(a, 's-addr', 5, M.cookie(77, 's')));
  assert.equal(again.length, 1);
  assert.equal(again[0]!.to, 's-addr');
  assert.deepEqual(again[0]!.messages[0], M.cookie(77, 'a'));
  assert.deepEqual(again[0]!.messages[1], push!.m, 'the same push, behind the echo');
  assert.deepEqual(sends(deliver(a, 's-addr', 6, M.cookie(78, 's'))), [], 'a second challenge is not answered');
  assert.deepEqual(sends(deliver(a, 't-addr', 7, M.cookie(79, 't'))), [], 'nor one for an exchange we never started');
});

test('re-dial: a failed member gets our own row, once each reconnect interval while it is silent', () => {
  const config = lan;
  const a = make('a', 0, config);
  // A dead member we never knew, from a peer's reply: adopted with the age of its death.
  deliver(a, 's-addr', 0, M.pushPull('s', M.PushPullFlag.reply, 0, 1, [M.agedEntry('x', 'x-addr', M.MemberCode.dead, 0, [], 1_000)]));
  assert.equal(a.member('x')!.state, 'dead');
  assert.equal(a.member('x')!.stateChangedAt, -1_000, 'its death is as old as the peer said');
  const hellos = (outs: ReturnType<typeof runTo>) => outs.filter((o) => o.type === 'send' && o.to === 'x-addr' && o.messages[0]!.type === M.MsgType.PushPull);
  const first = hellos(runTo(a, 2 * config.reconnectIntervalMs));
  assert.equal(first.length, 1);
  const t1 = first[0]!.at;
  assert.ok(t1 >= config.reconnectIntervalMs && t1 < 2 * config.reconnectIntervalMs, 'after a random phase');
  const hello = (first[0] as { messages: readonly M.Message[] }).messages[0] as M.PushPull;
  assert.deepEqual(
    hello.entries.map((e) => e.name),
    ['a'],
    'our own row only: an address that never answers never gets our table',
  );
  // No answer: the next maintenance round dials again (we are alone: each agent tries with
  // probability failed / (alive - 1), here 1), and never more often.
  const t2 = t1 + config.reconnectIntervalMs;
  assert.deepEqual(
    hellos(runTo(a, t2 + config.reconnectIntervalMs - 1)).map((o) => o.at),
    [t2],
  );
});

test('re-dial answered: the failed member gets our full state at once', () => {
  const a = make('a');
  deliver(
    a,
    's-addr',
    0,
    M.pushPull('s', M.PushPullFlag.reply, 0, 1, [M.entry('s', 's-addr', M.MemberCode.alive, 0, []), M.agedEntry('x', 'x-addr', M.MemberCode.dead, 0, [], 0)]),
  );
  const t = runUntilOutput(a, (o) => o.type === 'send' && o.to === 'x-addr' && o.messages[0]!.type === M.MsgType.PushPull, 2 * lan.reconnectIntervalMs).at;
  const answer = M.pushPull('x', M.PushPullFlag.reply, 0, 1, [M.entry('x', 'x-addr', M.MemberCode.alive, 0, [])]);
  const [full, ...rest] = firsts(deliver(a, 'x-addr', t + 3, answer), M.MsgType.PushPull);
  assert.deepEqual(rest, []);
  assert.equal(full!.to, 'x-addr');
  assert.equal(full!.m.flags, M.PushPullFlag.reply);
  assert.deepEqual(full!.m.entries.map((e) => e.name).sort(), ['a', 's', 'x']);
});

test('reaping: a failed row is forgotten at the first maintenance round after the reap age, and never adopted back', () => {
  const config = resolveConfig({ reapFailedAfterMs: 35_000, replayWindowMs: 0 });
  const a = make('a', 0, config);
  learn(a, 'b');
  deliver(a, 'b-addr', 0, M.pushPull('b', M.PushPullFlag.reply, 0, 1, [M.agedEntry('x', 'x-addr', M.MemberCode.dead, 0, [], 0)]));
  const outs = runTo(a, config.reapFailedAfterMs + config.reconnectIntervalMs);
  const reaped = outs.filter((o) => o.type === 'note' && o.note.kind === 'reaped');
  assert.equal(reaped.length, 1);
  const at = reaped[0]!.at;
  assert.ok(at >= config.reapFailedAfterMs && at < config.reapFailedAfterMs + config.reconnectIntervalMs, `reaped at ${at}`);
  assert.equal(a.member('x'), undefined);
  // A peer that has not reaped it yet tells us of it, with its age: past the reap age, ignored.
  deliver(a, 'b-addr', at + 1, M.pushPull('b', M.PushPullFlag.reply, 0, 1, [M.agedEntry('x', 'x-addr', M.MemberCode.dead, 0, [], at + 1)]));
  assert.equal(a.member('x'), undefined);
  // Younger than the reap age, it is adopted, as old as the peer says.
  deliver(a, 'b-addr', at + 2, M.pushPull('b', M.PushPullFlag.reply, 0, 1, [M.agedEntry('y', 'y-addr', M.MemberCode.dead, 0, [], 500)]));
  assert.equal(a.member('y')!.stateChangedAt, at + 2 - 500);
});
