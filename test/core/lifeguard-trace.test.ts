/**
 * Step traces of Lifeguard (awareness and nacks): exact sends and times, with a seeded Random and
 * injected `now`. Expected times come from the profile's fields, so the traces hold for any tuning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/core/messages.js';
import { lan } from '../../src/config.js';
import { deliver, events, firsts, learn, make, runTo } from './trace.js';

const { probeIntervalMs: interval, probeTimeoutMs: timeout, indirectChecks: k } = lan;

/** Run until the core sends its next round-robin ping; returns it and when it went. */
function nextProbe(core: ReturnType<typeof make>, until = 100_000): { to: string; ping: M.Ping; at: number } {
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) {
    const [p] = firsts(core.step({ type: 'tick' }, t), M.MsgType.Ping);
    if (p) return { to: p.to, ping: p.m, at: t };
  }
  throw new Error('no probe sent');
}

test('awareness: nacks from every helper cost nothing; missing ones raise the score, which stretches the next probe', () => {
  const a = make('a');
  learn(a, 'b', 'c', 'd', 'e', 'f');
  // Probe 1: the target is silent, every helper says nack.
  const one = nextProbe(a);
  assert.equal(
    runTo(a, one.at + timeout - 1).filter((o) => o.type === 'send' && o.messages[0]!.type === M.MsgType.PingReq).length,
    0,
    'no ping-req before the probe timeout',
  );
  const reqs = firsts(runTo(a, one.at + timeout), M.MsgType.PingReq);
  assert.equal(reqs.length, k);
  for (const r of reqs) assert.deepEqual(r.m, M.pingReq(one.ping.seq, one.ping.target, `${one.ping.target}-addr`, 'a'));
  for (const r of reqs) deliver(a, r.to, one.at + timeout + 50, M.nack(one.ping.seq, r.to.replace('-addr', '')));
  const end1 = runTo(a, one.at + interval);
  assert.deepEqual(events(end1), [`suspect:${one.ping.target}`], 'the probe fails at the end of its period');
  assert.equal(a.counters().awareness, 0, 'helpers that reach nobody either say so: the fault is not ours');
  assert.equal(a.counters().nacksReceived, k);

  // Probe 2 starts in the same tick (the period was not stretched); nobody answers, not even with a nack.
  const [ping2] = firsts(
    end1.filter((o) => o.at === one.at + interval),
    M.MsgType.Ping,
  );
  assert.ok(ping2, 'the next probe goes out as the last one ends');
  const reqs2 = firsts(runTo(a, one.at + interval + timeout), M.MsgType.PingReq);
  assert.equal(reqs2.length, k);
  const end2 = runTo(a, one.at + 2 * interval);
  assert.ok(events(end2).includes(`suspect:${ping2.m.target}`));
  assert.equal(a.counters().awareness, k, 'every missing nack points at us');

  // Probe 3: timeout and period are stretched by (awareness + 1).
  const [ping3] = firsts(
    end2.filter((o) => o.at === one.at + 2 * interval),
    M.MsgType.Ping,
  );
  assert.ok(ping3);
  const started = one.at + 2 * interval;
  const stretched = (k + 1) * timeout;
  assert.equal(firsts(runTo(a, started + stretched - 1), M.MsgType.PingReq).length, 0, 'no ping-req before the stretched timeout');
  // A direct ack: the score falls by one.
  deliver(a, ping3.to, started + stretched - 1, M.ack(ping3.m.seq, ping3.m.target, 7));
  assert.equal(a.counters().awareness, k - 1);
  assert.equal(firsts(runTo(a, started + stretched), M.MsgType.PingReq).length, 0, 'an acked probe asks no helper');
  // The next period begins (k + 1) probe intervals after this one began.
  const four = nextProbe(a);
  assert.equal(four.at, started + (k + 1) * interval);
});

test('an ack relayed by a helper does not lower awareness; only a direct one does', () => {
  const a = make('a');
  learn(a, 'b', 'c', 'd');
  a.step({ type: 'lag', lagMs: timeout }, 0);
  assert.equal(a.counters().awareness, 1, 'a lag spike over half the probe timeout costs one');
  const p = nextProbe(a);
  deliver(a, 'c-addr', p.at + 10, M.ack(p.ping.seq, p.ping.target, 4));
  assert.equal(a.counters().awareness, 1, 'relayed');
  const q = nextProbe(a);
  deliver(a, q.to, q.at + 10, M.ack(q.ping.seq, q.ping.target, 4));
  assert.equal(a.counters().awareness, 0, 'direct');
});

test('a helper nacks the requester before its probe period ends, under the requester seq, once', () => {
  const c = make('c');
  learn(c, 'a', 'b');
  const nackAt = Math.floor(0.8 * Math.min(timeout, interval - timeout));
  const [relay] = firsts(deliver(c, 'a-addr', 0, M.pingReq(99, 'b', 'b-addr', 'a')), M.MsgType.Ping);
  assert.equal(relay!.to, 'b-addr');
  assert.deepEqual(firsts(runTo(c, nackAt - 1), M.MsgType.Nack), []);
  const nacks = firsts(runTo(c, nackAt), M.MsgType.Nack);
  assert.deepEqual(nacks, [{ to: 'a-addr', m: M.nack(99, 'c') }]);
  assert.deepEqual(firsts(runTo(c, interval), M.MsgType.Nack), [], 'once');
  assert.equal(c.counters().nacksSent, 1);
  // A late ack (after the nack) is still relayed while the relay lasts.
  const late = firsts(deliver(c, 'b-addr', interval - 1, M.ack(relay!.m.seq, 'b', 3)), M.MsgType.Ack);
  assert.deepEqual(late, [{ to: 'a-addr', m: M.ack(99, 'b', 3) }]);
});

test('a helper whose target answers relays the ack and sends no nack', () => {
  const c = make('c');
  learn(c, 'a', 'b');
  const [relay] = firsts(deliver(c, 'a-addr', 0, M.pingReq(5, 'b', 'b-addr', 'a')), M.MsgType.Ping);
  assert.deepEqual(firsts(deliver(c, 'b-addr', 20, M.ack(relay!.m.seq, 'b', 3)), M.MsgType.Ack), [{ to: 'a-addr', m: M.ack(5, 'b', 3) }]);
  assert.deepEqual(firsts(runTo(c, 2 * interval), M.MsgType.Nack), []);
});
