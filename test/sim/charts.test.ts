/**
 * Charts of a simulation run: the Recorder's series (dissemination of joins, a failure and a
 * leave; detection; load per virtual second) and the SVG built from them, read back as text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, type ScenarioSpec } from '../../src/sim/scenario.js';
import { Recorder, type NewsCurve } from '../../src/sim/recorder.js';
import { renderChartHtml, renderChartSvg, shareAt, fullAtMs, chartFormatOf } from '../../src/sim/charts/index.js';

const spec: ScenarioSpec = {
  nodes: 16,
  seed: 5,
  steps: [
    { do: 'joinAll' },
    { expect: 'converged', within: '20s' },
    { do: 'kill', nodes: [7] },
    { do: 'run', for: '15s' },
    { do: 'leave', nodes: [3] },
    { do: 'runUntil', at: '40s' },
  ],
};

function recorded(): { recorder: Recorder; traceHash: string } {
  let recorder: Recorder | undefined;
  const r = runScenario(spec, { onSimulation: (sim) => void (recorder = new Recorder(sim)) });
  assert.ok(recorder);
  assert.deepEqual(r.failures, []);
  return { recorder, traceHash: r.report.traceHash };
}

test('Recorder: every join, the failure and the leave reach all live agents; load sampled each virtual second', { timeout: 60_000 }, () => {
  const { recorder, traceHash } = recorded();
  assert.equal(traceHash, runScenario(spec).report.traceHash, 'recording does not change the run');
  const s = recorder.series();
  const joins = s.news.filter((c) => c.kind === 'join');
  assert.equal(joins.length, 16);
  const failure = s.news.filter((c) => c.kind === 'failure');
  assert.deepEqual(
    failure.map((c) => c.subject),
    ['n7'],
  );
  const leave = s.news.filter((c) => c.kind === 'leave');
  assert.deepEqual(
    leave.map((c) => c.subject),
    ['n3'],
  );
  // 14 agents run at the end (n7 killed, n3 left); each news item can reach the others.
  for (const c of [...joins, ...failure, ...leave]) {
    assert.equal(c.population, 14 - (c.subject === 'n7' || c.subject === 'n3' ? 0 : 1), c.subject);
    assert.notEqual(fullAtMs(c), null, `${c.kind} of ${c.subject} reached everyone`);
    assert.ok(
      c.learnedMs.every((t, i) => t >= 0 && (i === 0 || t >= c.learnedMs[i - 1]!)),
      'ascending times since the start',
    );
  }
  assert.equal(failure[0]!.startMs, s.detection[0]!.killedAtMs, 'a failure starts at the kill');
  assert.ok(failure[0]!.learnedMs[0]! >= s.detection[0]!.firstDeadMs! - 1e-6, 'nobody knows of a death before the first dead verdict');
  assert.equal(s.load.length, 40);
  assert.ok(s.load.every((l) => l.msgsPerAgentPerSec >= 0 && l.agents > 0));
  assert.equal(s.load.at(-1)!.agents, 14);
});

test('shareAt and fullAtMs read a step curve', () => {
  const c: NewsCurve = { kind: 'join', subject: 'x', startMs: 0, population: 4, learnedMs: [10, 20, 20, 50] };
  assert.deepEqual(
    [0, 10, 19, 20, 49, 50, 99].map((t) => shareAt(c, t)),
    [0, 0.25, 0.25, 0.75, 0.75, 1, 1],
  );
  assert.equal(fullAtMs(c), 50);
  assert.equal(fullAtMs({ ...c, learnedMs: [10] }), null);
  assert.equal(chartFormatOf('a/b.SVG'), 'svg');
  assert.equal(chartFormatOf('x.html'), 'html');
  assert.equal(chartFormatOf('x.png'), undefined);
});

test('the SVG holds the three panels with the expected series; the HTML wraps it with the text report', { timeout: 60_000 }, () => {
  const s = recorded().recorder.series();
  const svg = renderChartSvg(s);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  for (const id of ['dissemination', 'detection', 'load']) assert.match(svg, new RegExp(`<g id="${id}"`));
  assert.match(svg, /<g class="kind" data-kind="join" data-items="16" data-reached-all="16">/);
  assert.match(svg, /<g class="kind" data-kind="failure" data-items="1" data-reached-all="1">/);
  assert.match(svg, /<g class="kind" data-kind="leave" data-items="1" data-reached-all="1">/);
  // 16 joins are more than a readable number of lines: a band and a median instead.
  assert.match(svg, /data-kind="join" data-stat="median" d="M/);
  assert.match(svg, /<path class="series" data-kind="failure" data-subject="n7" d="M/);
  const victim =
    /<g class="victim" data-node="n7" data-killed-at-ms="(\d+)" data-first-suspect-ms="(\d+)" data-first-dead-ms="(\d+)" data-all-dead-ms="(\d+)">/.exec(svg);
  assert.ok(victim, 'a detection row for n7 with all three times');
  const [suspect, dead, all] = [Number(victim[2]), Number(victim[3]), Number(victim[4])];
  assert.ok(suspect <= dead && dead <= all && all > 0, `${suspect} <= ${dead} <= ${all}`);
  assert.match(svg, /<path class="series" data-series="msgs-per-agent-per-sec" data-points="40" d="M/);
  assert.match(svg, /kill n7/);
  assert.match(svg, /leave n3/);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
  // Balanced groups: a cheap well-formedness check without an XML parser.
  assert.equal((svg.match(/<g[\s>]/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  const html = renderChartHtml(s, 'join convergence <1 s>');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /join convergence &lt;1 s&gt;/, 'the text report is escaped');
  assert.ok(html.includes(svg.trimEnd()));
});

test('a run with no kills says so instead of drawing an empty timeline', { timeout: 30_000 }, () => {
  let recorder: Recorder | undefined;
  runScenario({ nodes: 4, seed: 1, steps: [{ do: 'joinAll' }, { do: 'run', for: '5s' }] }, { onSimulation: (sim) => void (recorder = new Recorder(sim)) });
  const svg = renderChartSvg(recorder!.series());
  assert.match(svg, /no agent was killed/);
  assert.doesNotMatch(svg, /class="victim"/);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
});
