/**
 * Step traces of vetting (vetting.ts): active confirmation checks of a suspect, and the probation
 * of a member declared dead that claims life. Exact sends and times with injected `now`; times
 * derive from the profile, and who checks from checkerRank, so the traces hold for any tuning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/core/messages.js';
import { lan, resolveConfig } from '../../src/config.js';
import { checkerRank } from '../../src/core/confirmers.js';
import { deliver, events, firsts, learn, make, runTo, sends } from './trace.js';

const { probeIntervalMs: interval, probeTimeoutMs: timeout } = lan;
const others = ['b', 'c', 'd', 'e', 'f', 'g'];

/** A subject name for which `a` is the checker of rank `rank` at `inc` (one of the first names that is). */
function subjectRanked(rank: number, inc: number): string {
  for (let i = 0; i < 1000; i++) {
    const x = `x${i}`;
    if (checkerRank('a', x, inc, ['a', x, ...others], lan.confirmers) === rank) return x;
  }
  throw new Error(`no subject with rank ${rank}`);
}

test('active confirmation: a checker of rank r pings the suspect r half-periods later, asks 2 helpers, and its failure is one more accuser', () => {
  for (const rank of [0, 1]) {
    const x = subjectRanked(rank, 0);
    const a = make('a');
    learn(a, ...others, x);
    const t0 = 10;
    assert.deepEqual(events(deliver(a, 'b-addr', t0, M.suspect(x, 0, 'b'))), [`suspect:${x}`]);
    const startAt = t0 + (rank * interval) / 2;
    const check = (outs: ReturnType<typeof runTo>) =>
      outs.filter((o) => o.type === 'send' && o.to === `${x}-addr` && o.messages[0]!.type === M.MsgType.Ping && o.messages[1]?.type === M.MsgType.Suspect);
    assert.deepEqual(check(runTo(a, startAt - 1)), [], `rank ${rank}: not before ${startAt}`);
    const [ping] = check(runTo(a, startAt));
    assert.ok(ping && ping.type === 'send', `rank ${rank}: the check pings at ${startAt}`);
    const seq = (ping.messages[0] as M.Ping).seq;
    // Buddy: the suspect hears it is suspected, from us, in the very packet.
    assert.deepEqual(ping.messages[1], M.suspect(x, 0, 'a'));
    const reqs = firsts(runTo(a, startAt + timeout), M.MsgType.PingReq).filter((r) => r.m.seq === seq);
    assert.equal(reqs.length, Math.min(2, lan.indirectChecks));
    for (const r of reqs) assert.notEqual(r.to, `${x}-addr`);
    const before = a.counters();
    runTo(a, startAt + interval);
    const after = a.counters();
    assert.equal(after.checks, 1);
    assert.equal(after.checksFailed, before.checksFailed + 1, 'the check failed at the end of its period');
    // Our failed check is a confirmation, gossiped so that others count it too.
    const gossip = sends(runTo(a, startAt + interval + lan.gossipIntervalMs)).flatMap((s) => s.messages);
    assert.ok(
      gossip.some((m) => m.type === M.MsgType.Suspect && m.name === x && m.from === 'a'),
      'suspect(x) from a rides the gossip',
    );
  }
});

test('active confirmation: an ack ends the check, and a non-checker never checks', () => {
  const x = subjectRanked(0, 0);
  const a = make('a');
  learn(a, ...others, x);
  deliver(a, 'b-addr', 0, M.suspect(x, 0, 'b'));
  const [ping] = firsts(runTo(a, 0), M.MsgType.Ping).filter((p) => p.to === `${x}-addr`);
  assert.ok(ping);
  deliver(a, `${x}-addr`, 5, M.ack(ping.m.seq, x, 8));
  assert.deepEqual(
    firsts(runTo(a, interval), M.MsgType.PingReq).filter((r) => r.m.seq === ping.m.seq),
    [],
    'acked: no helper asked',
  );
  assert.equal(a.counters().checksFailed, 0);

  const y = subjectRanked(-1, 0);
  const b = make('a');
  learn(b, ...others, y);
  deliver(b, 'b-addr', 0, M.suspect(y, 0, 'b'));
  runTo(b, 3 * interval);
  assert.equal(b.counters().checks, 0, 'not one of the checkers');
});

test('probation: checkers look every half period, and the member is readmitted 1.5 periods after the checks end', () => {
  // Without active confirmation a single dead verdict kills at once: the shortest way to a dead row.
  const config = resolveConfig({ activeConfirmation: false });
  const x = subjectRanked(1, 1);
  const a = make('a', 0, config);
  learn(a, ...others, x);
  assert.deepEqual(events(deliver(a, 'b-addr', 0, M.dead(x, 0, 'b'))), [`failed:${x}`]);
  const t0 = 100;
  const claim = deliver(a, `${x}-addr`, t0, M.alive(x, `${x}-addr`, 1, []));
  assert.deepEqual(events(claim), [], 'held, not admitted');
  assert.equal(a.member(x)!.state, 'dead');
  assert.equal(a.counters().probations, 1);
  // One outage: the base probation. Checks from (rank + 1) quarter periods on, every half period.
  const checksUntil = t0 + config.readmitAfterMs;
  const expected: number[] = [];
  for (let t = t0 + (2 * interval) / 4; t < checksUntil; t += interval / 2) expected.push(t);
  const readmitAt = checksUntil + 1.5 * interval;
  // The member answers each check at once.
  const checkTimes: number[] = [];
  for (let t = a.nextDeadline(); t < readmitAt; t = a.nextDeadline()) {
    const outs = a.step({ type: 'tick' }, t);
    assert.deepEqual(
      events(outs).filter((e) => e.endsWith(`:${x}`)),
      [],
      'nothing happens to x until readmission',
    );
    for (const s of sends(outs)) {
      if (s.to !== `${x}-addr` || s.messages[0]!.type !== M.MsgType.Ping) continue;
      checkTimes.push(t);
      assert.equal(s.messages[1]?.type === M.MsgType.Suspect, false, 'no buddy on a probation check');
      deliver(a, `${x}-addr`, t + 5, M.ack((s.messages[0] as M.Ping).seq, x, 8));
    }
  }
  assert.deepEqual(checkTimes, expected, 'check pings at the scheduled times');
  assert.equal(a.member(x)!.state, 'dead', 'still held until readmission');
  assert.equal(a.counters().probationsFailed, 0);
  assert.deepEqual(
    events(runTo(a, readmitAt)).filter((e) => e.endsWith(`:${x}`)),
    [`alive:${x}`],
    'readmitted exactly then',
  );
  assert.equal(a.member(x)!.incarnation, 1);
  assert.equal(a.counters().readmitted, 1);
});

test('probation: a failed check is dead again at the claimed incarnation; a dead from a non-checker is not evidence', () => {
  const config = resolveConfig({ activeConfirmation: false });
  const x = subjectRanked(0, 1);
  const a = make('a', 0, config);
  learn(a, ...others, x);
  deliver(a, 'b-addr', 0, M.dead(x, 0, 'b'));
  deliver(a, `${x}-addr`, 100, M.alive(x, `${x}-addr`, 1, []));
  // Someone who is not a checker of x says dead: ignored during probation.
  const nonChecker = others.find((n) => checkerRank(n, x, 1, ['a', x, ...others], config.confirmers) < 0)!;
  deliver(a, `${nonChecker}-addr`, 150, M.dead(x, 1, nonChecker));
  assert.equal(a.counters().probationsFailed, 0);
  // Our first check goes at 100 + interval / 4 and nobody acks it.
  const firstCheck = 100 + interval / 4;
  const outs = runTo(a, firstCheck + interval);
  assert.ok(outs.some((o) => o.type === 'send' && o.at === firstCheck && o.to === `${x}-addr`));
  assert.equal(a.counters().probationsFailed, 1);
  const later = [...outs.filter((o) => o.at === firstCheck + interval), ...runTo(a, firstCheck + interval + lan.gossipIntervalMs)];
  const verdict = sends(later)
    .flatMap((s) => s.messages)
    .find((m) => m.type === M.MsgType.Dead && m.name === x);
  assert.deepEqual(verdict, M.dead(x, 1, 'a'), 'dead again at the claimed incarnation, announced by us');
  assert.equal(a.member(x)!.state, 'dead');
  assert.equal(a.member(x)!.incarnation, 1);
});
