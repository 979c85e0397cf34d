/** Step traces: feed a packet or fire a deadline, and assert what comes out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import type { Output } from '../../src/core/io.js';
import { lan, plainSwim, resolveConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();
const make = (name: string, now = 0, config = lan) =>
  new Swim({ name, address: `${name}-addr`, config }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, now);
const sends = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'send' }> => o.type === 'send');
const events = (outs: Output[]) => outs.flatMap((o) => (o.type === 'event' ? [`${o.event.type}:${o.event.member.name}`] : []));
const learn = (core: Swim, ...names: string[]) => core.step({ type: 'packet', from: 'x', messages: names.map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);

/** Tick at each deadline until `until`, collecting outputs. */
function runTo(core: Swim, until: number): Output[] {
  const all: Output[] = [];
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) all.push(...core.step({ type: 'tick' }, t));
  return all;
}

/** Tick until the core sends its next probe; returns the ping and when it went. */
function nextPing(core: Swim): { ping: M.Ping; at: number } {
  for (let i = 0; i < 100; i++) {
    const t = core.nextDeadline();
    const ping = sends(core.step({ type: 'tick' }, t)).find((s) => s.messages[0]!.type === M.MsgType.Ping);
    if (ping) return { ping: ping.messages[0] as M.Ping, at: t };
  }
  throw new Error('no probe sent');
}

test('a ping for us gets an ack with the same seq, sent back to the sender', () => {
  const a = make('a');
  const outs = a.step({ type: 'packet', from: 'b-addr', messages: [M.ping(7, 'a', 'b', 1)] }, 10);
  const [s] = sends(outs);
  assert.equal(s!.to, 'b-addr');
  assert.deepEqual(s!.messages[0], M.ack(7, 'a', 1));
});

test('a ping meant for another name (a stale address) is dropped, not answered', () => {
  const a = make('a');
  const outs = a.step({ type: 'packet', from: 'b-addr', messages: [M.ping(7, 'zz', 'b', 1)] }, 10);
  assert.equal(sends(outs).length, 0);
  assert.ok(outs.some((o) => o.type === 'note' && o.note.kind === 'dropped'));
});

test('a ping-req is relayed only to a member we know, at the address we know it by', () => {
  const a = make('a');
  learn(a, 'b', 'c');
  const relay = (req: M.PingReq) => sends(a.step({ type: 'packet', from: 'stranger-addr', messages: [req] }, 10));
  const dropped = (req: M.PingReq) =>
    a
      .step({ type: 'packet', from: 'stranger-addr', messages: [req] }, 10)
      .some((o) => o.type === 'note' && o.note.kind === 'dropped' && o.note.reason === 'ping-req-unknown-target');
  assert.deepEqual(relay(M.pingReq(1, 'zz', '192.0.2.7:53', 's')), [], 'an unknown name: nothing sent anywhere');
  assert.deepEqual(relay(M.pingReq(2, 'b', '192.0.2.7:53', 's')), [], 'a known name at another address: nothing sent');
  assert.ok(dropped(M.pingReq(3, 'zz', '192.0.2.7:53', 's')), 'counted as a drop by reason');
  const ok = relay(M.pingReq(4, 'c', 'c-addr', 's'));
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.to, 'c-addr');
  assert.equal((ok[0]!.messages[0] as M.Ping).target, 'c');
});

test('probe: ping, then ping-req through others, then suspect, then dead after the suspicion timeout', () => {
  const a = make('a', 0, resolveConfig(plainSwim));
  assert.deepEqual(events(learn(a, 'b', 'c', 'd', 'e')), ['join:b', 'join:c', 'join:d', 'join:e']);
  // Run one probe and find whom it targets.
  const { ping, at: startedAt } = nextPing(a);
  const target = ping.target;
  const indirect = runTo(a, startedAt + lan.probeTimeoutMs);
  const reqs = sends(indirect).filter((s) => s.messages[0]!.type === M.MsgType.PingReq);
  assert.equal(reqs.length, lan.indirectChecks, 'k ping-reqs');
  for (const r of reqs) {
    assert.notEqual(r.to, `${target}-addr`, 'never ask the target to ping itself');
    assert.equal((r.messages[0] as M.PingReq).target, target);
  }
  const end = runTo(a, startedAt + lan.probeIntervalMs);
  assert.deepEqual(events(end), [`suspect:${target}`]);
  assert.equal(a.member(target)!.state, 'suspect');
  const timeout = 4 * 1000; // suspicionMult 4 × max(1, log10 5) × 1 s
  const later = runTo(a, startedAt + lan.probeIntervalMs + timeout - 1);
  assert.ok(!events(later).includes(`failed:${target}`), 'not before the timeout');
  assert.ok(events(runTo(a, startedAt + lan.probeIntervalMs + timeout)).includes(`failed:${target}`), 'dead at the timeout');
});

test('an ack within the probe period keeps the target alive', () => {
  const a = make('a');
  learn(a, 'b');
  const { ping, at } = nextPing(a);
  a.step({ type: 'packet', from: 'b-addr', messages: [M.ack(ping.seq, 'b', 2)] }, at + 5);
  const outs = runTo(a, at + lan.probeIntervalMs);
  assert.deepEqual(events(outs), []);
  assert.equal(a.member('b')!.state, 'alive');
});

test('a suspicion of ourselves is refuted with a higher incarnation that rides the next packet', () => {
  const a = make('a');
  learn(a, 'b');
  const outs = a.step({ type: 'packet', from: 'b-addr', messages: [M.suspect('a', 0, 'b')] }, 5);
  assert.ok(outs.some((o) => o.type === 'note' && o.note.kind === 'refuted'));
  assert.equal(a.currentIncarnation, 1);
  const reply = sends(a.step({ type: 'packet', from: 'b-addr', messages: [M.ping(1, 'a', 'b', 2)] }, 6))[0]!;
  assert.ok(
    reply.messages.some((m) => m.type === M.MsgType.Alive && m.name === 'a' && m.inc === 1),
    'alive(a, 1) piggybacked',
  );
});

test('ping-req: the intermediary pings the target and relays its ack under the requester seq', () => {
  const c = make('c');
  learn(c, 'a', 'b');
  const outs = c.step({ type: 'packet', from: 'a-addr', messages: [M.pingReq(99, 'b', 'b-addr', 'a')] }, 0);
  const ping = sends(outs)[0]!;
  assert.equal(ping.to, 'b-addr');
  const own = (ping.messages[0] as M.Ping).seq;
  const relayed = sends(c.step({ type: 'packet', from: 'b-addr', messages: [M.ack(own, 'b', 3)] }, 5))[0]!;
  assert.equal(relayed.to, 'a-addr');
  assert.deepEqual(relayed.messages[0], M.ack(99, 'b', 3));
});

test('join: push-pull to the seeds, retries with backoff, then a clear error', () => {
  const config = resolveConfig({ joinAttempts: 3, joinTimeoutMs: 100 });
  const a = make('a', 0, config);
  const first = a.step({ type: 'join', id: 1, seeds: ['s1', 's2'] }, 0);
  assert.deepEqual(new Set(sends(first).map((s) => s.to)), new Set(['s1', 's2']));
  const rest = runTo(a, 1000);
  const result = rest.find((o) => o.type === 'join-result');
  assert.ok(result && result.type === 'join-result' && !result.ok);
  assert.match(result.error, /no seed answered \(s1, s2\) after 3 attempts/);
  assert.equal(sends(rest).filter((s) => s.messages[0]!.type === M.MsgType.PushPull).length, 4, 'two retries to two seeds');
});

test('join succeeds when a seed answers, and the seed state is merged', () => {
  const a = make('a');
  a.step({ type: 'join', id: 1, seeds: ['s-addr'] }, 0);
  const reply = M.pushPull('s', M.PushPullFlag.reply, 0, 1, [M.entry('s', 's-addr', 0, 0, []), M.entry('t', 't-addr', 0, 2, ['zone', 'x'])]);
  const outs = a.step({ type: 'packet', from: 's-addr', messages: [reply] }, 5);
  assert.ok(outs.some((o) => o.type === 'join-result' && o.ok));
  assert.deepEqual(events(outs), ['join:s', 'join:t']);
  assert.deepEqual(a.member('t')!.tags, { zone: 'x' });
});

test('leave: left is broadcast, then the core stops', () => {
  const a = make('a');
  learn(a, 'b', 'c', 'd');
  const outs = [...a.step({ type: 'leave' }, 10), ...runTo(a, 10_000)];
  assert.deepEqual(events(outs), ['left:a']);
  assert.ok(sends(outs).some((s) => s.messages.some((m) => m.type === M.MsgType.Left && m.name === 'a')));
  assert.ok(outs.some((o) => o.type === 'left'));
  assert.equal(a.stopped, true);
  assert.equal(a.nextDeadline(), Infinity);
});

test('the same inputs at the same times give the same outputs, byte for byte', () => {
  const trace = () => {
    const a = make('a');
    learn(a, 'b', 'c', 'd', 'e', 'f');
    const outs = runTo(a, 20_000);
    return sends(outs)
      .map((s) => `${s.to}:${Buffer.from(codec.encode(s.messages)).toString('hex')}`)
      .join('\n');
  };
  assert.equal(trace(), trace());
});

test('an acked probe is noted with its round-trip time and whether the ack came directly', () => {
  const a = make('a');
  learn(a, 'b', 'c');
  const { ping, at } = nextPing(a);
  const outs = a.step({ type: 'packet', from: `${ping.target}-addr`, messages: [M.ack(ping.seq, ping.target, 3)] }, at + 7);
  const notes = outs.flatMap((o) => (o.type === 'note' && o.note.kind === 'probe-acked' ? [o.note] : []));
  assert.deepEqual(notes, [{ kind: 'probe-acked', target: ping.target, rttMs: 7, direct: true }]);
  // A second ack for the same probe is not a second sample.
  const again = a.step({ type: 'packet', from: `${ping.target}-addr`, messages: [M.ack(ping.seq, ping.target, 3)] }, at + 9);
  assert.ok(!again.some((o) => o.type === 'note' && o.note.kind === 'probe-acked'));
});
