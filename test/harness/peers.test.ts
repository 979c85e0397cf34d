import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOurs, parseSerf, parseSerfCounter, serfRate } from '../../harness/peers/logs.js';
import { curve, falsePositives, firstAt, firstTimeAll, median, type TimedEvent } from '../../harness/peers/measure.js';
import { convergenceSvg, niceStep, stepPath } from '../../harness/peers/svg.js';
import { launchMarkdown, launchTarget } from '../../harness/peers/report.js';
import type { LaunchRun } from '../../harness/peers/results.js';

test('our pino lines: started and member changes; other lines ignored', () => {
  assert.deepEqual(parseOurs('{"level":30,"msg":"agent started","address":"127.0.0.1:1"}'), { kind: 'started' });
  assert.deepEqual(parseOurs('{"level":30,"agent":"a1","member":"a2","status":"failed","incarnation":3,"msg":"member failed"}'), {
    kind: 'member',
    member: 'a2',
    status: 'failed',
    incarnation: 3,
  });
  assert.equal(parseOurs('{"member":"a2","status":"weird"}'), null);
  assert.equal(parseOurs('{"msg":"admin API listening"}'), null);
  assert.equal(parseOurs('not json'), null);
  assert.equal(parseOurs('{broken'), null);
});

test('serf lines: start marker, member events, own suspicions', () => {
  assert.deepEqual(parseSerf('==> Starting Serf agent RPC...'), { kind: 'started' });
  assert.deepEqual(parseSerf('    2026/11/27 14:00:01 [INFO] serf: EventMemberJoin: s0 127.0.0.1'), { kind: 'member', member: 's0', status: 'alive' });
  assert.deepEqual(parseSerf('    2026/11/27 14:00:20 [INFO] serf: EventMemberFailed: s2 127.0.0.1'), { kind: 'member', member: 's2', status: 'failed' });
  assert.deepEqual(parseSerf('    2026/11/27 14:00:25 [INFO] serf: EventMemberLeave: s1 127.0.0.1'), { kind: 'member', member: 's1', status: 'left' });
  assert.deepEqual(parseSerf('    2026/11/27 14:09:48 [INFO] serf: EventMemberLeave (forced): a6 127.0.0.1'), { kind: 'member', member: 'a6', status: 'left' });
  assert.equal(parseSerf('    2026/11/27 14:00:25 [INFO] serf: EventMemberReap: s1'), null);
  assert.deepEqual(parseSerf('    2026/11/27 14:00:16 [INFO] memberlist: Suspect s2 has failed, no acks received'), { kind: 'suspect', member: 's2' });
  assert.equal(parseSerf('    2026/11/27 14:00:21 [INFO] agent: Received event: member-failed'), null);
});

test('serf metric dump: counters per 10 s interval, only whole intervals inside the window', () => {
  const l = (t: string, sum: number): string =>
    `[2026-11-27 14:00:${t} +0000 UTC][C] 'serf-agent.memberlist.udp.sent': Count: 23 Min: 23.000 Mean: 107.522 Max: 188.000 Stddev: 48.075 Sum: ${sum}.000 LastUpdated: x`;
  const c = parseSerfCounter(l('10', 2473));
  assert.deepEqual(c, { name: 'serf-agent.memberlist.udp.sent', interval: { startMs: Date.parse('2026-11-27T14:00:10Z'), sum: 2473, count: 23 } });
  assert.equal(parseSerfCounter("[2026-11-27 14:00:00 +0000 UTC][G] 'serf-agent.runtime.num_goroutines': 22.000"), null);
  const from = Date.parse('2026-11-27T14:00:05Z');
  const to = Date.parse('2026-11-27T14:00:37Z');
  // 14:00:00 starts before the window, 14:00:30 ends after it; 10 and 20 count, the later dump of 20 wins.
  const r = serfRate([l('00', 1), l('10', 100), l('20', 50), l('30', 7), l('20', 200)], 'serf-agent.memberlist.udp.sent', from, to);
  assert.deepEqual(r, { sum: 300, count: 46, spanMs: 20_000 });
  // An interval with no samples is not printed but still counts as time.
  assert.equal(serfRate([l('10', 100)], 'serf-agent.memberlist.udp.sent', from, to).spanMs, 20_000);
});

const m = (at: number, member: string, status: 'alive' | 'suspect' | 'failed' | 'left'): TimedEvent => ({ at, ev: { kind: 'member', member, status } });

test('firstTimeAll replays a view: complete only when every other name has the status at once', () => {
  const ev = [m(1, 'a', 'alive'), m(2, 'b', 'alive'), m(3, 'b', 'suspect'), m(4, 'c', 'alive'), m(5, 'b', 'alive')];
  assert.equal(firstTimeAll(ev, 'a', ['a', 'b', 'c'], 'alive'), 5);
  assert.equal(firstTimeAll(ev, 'a', ['a', 'b'], 'alive'), 2);
  assert.equal(firstTimeAll(ev, 'a', ['a', 'b', 'd'], 'alive'), null);
  assert.equal(firstTimeAll(ev, 'a', ['a', 'b'], 'alive', 4), 5, 'a view completed before fromMs counts only when it completes again');
});

test('firstAt, curve, median, false positives', () => {
  const ev = [m(1, 'x', 'suspect'), m(7, 'x', 'failed')];
  assert.equal(
    firstAt(ev, (e) => e.kind === 'member' && e.status === 'failed'),
    7,
  );
  assert.equal(
    firstAt(ev, (e) => e.kind === 'member', 2),
    7,
  );
  assert.deepEqual(curve([30, null, 10, 20], 5), [5, 15, 25]);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const agents = [
    { name: 'a', events: [m(1, 'b', 'failed'), m(10, 'b', 'failed'), m(11, 'dead', 'failed')] },
    { name: 'b', events: [m(12, 'a', 'failed'), m(13, 'b', 'failed')] },
  ];
  assert.deepEqual(falsePositives(agents, new Set(['a', 'b']), 5), { members: ['a', 'b'], pairs: 2 });
});

test('svg: nice steps, step paths, a well-formed document', () => {
  assert.equal(niceStep(1000), 200);
  assert.equal(niceStep(7000), 2000);
  assert.equal(niceStep(0), 1);
  const id = (v: number): number => v;
  assert.equal(
    stepPath([10, 20], 2, 30, id, (f) => 100 - f * 100),
    'M0,100 H10 V50 H20 V0 H30',
  );
  const svg = convergenceSvg([{ title: 'join <N=8>', series: [{ label: 'ours', color: '#f00', times: [1, 2], total: 2 }] }], 'a & b');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /join &lt;N=8&gt;/);
  assert.match(svg, /a &amp; b/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});

test('launch table: medians per system, ratio, and the join target by size', () => {
  const run = (joinFromLaunchMs: number): LaunchRun => ({
    agents: 8,
    loadavg: [],
    curve: [],
    result: { joinFromLaunchMs, joinFromLastStartMs: 100, startedMedianMs: 50, startedMaxMs: 60, cpuSecPerAgentToConverge: 0.2, rssMiBPerAgent: 55 },
  });
  assert.equal(launchTarget(8), 1.0);
  assert.equal(launchTarget(64), 2.0);
  assert.equal(launchTarget(32), undefined);
  const md = launchMarkdown({ '8': { ours: [run(900), run(1100), run(1000)], serf: [run(400), run(500)] }, '64': { ours: [run(3000)], serf: [run(2000)] } });
  assert.match(md, /\| join convergence from launch ms \| 1000 \| 450 \| 2\.22 \| ≤ 1\.0: \*\*missed\*\* \|/);
  assert.match(md, /\| join convergence from launch ms \| 3000 \| 2000 \| 1\.50 \| ≤ 2\.0: met \|/);
  assert.match(md, /All 8 agents launched at once \(ours: 3 runs, serf: 2 runs; medians\)/);
});
