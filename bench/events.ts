/**
 * `npm run bench:events`: user events on the simulator, in virtual time (bench/EVENTS.md).
 *
 * 1. Storm: N agents, R events per second for S seconds from random survivors while K agents
 *    crash one after another; the same run without events beside it. Detection times side by
 *    side (ratio), and whether every event reached every live agent.
 * 2. Spread: one event and one tag change (membership news) every 2 s, N = 100 and 1000, 0% and
 *    5% loss: time until every agent has each, and the share of (event, agent) pairs delivered.
 * 3. Queries: N agents under 5% loss answer every query; the share of answers the asker gets
 *    before its (default) timeout, with relay factor 0 and 2.
 *
 *   npm run bench:events                                   # storm N=1000 R=100 S=60 K=10; spread 100,1000
 *   npm run bench:events -- --nodes 100 --seconds 20 --kills 3 --spread-sizes 100
 *   npm run bench:events -- --no-storm
 *   npm run bench:events -- --no-storm --spread-sizes none --query-sizes 1000
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { median, quantile, runQueries, runSpread, runStorm, type StormRun } from '../harness/events-scenario.js';
import { stringOption } from '../harness/args.js';

const arg = stringOption;
const nodes = Number(arg('nodes', '1000'));
const rate = Number(arg('rate', '100'));
const seconds = Number(arg('seconds', '60'));
const kills = Number(arg('kills', '10'));
const seed = Number(arg('seed', '1'));
// 'none' skips a part: --spread-sizes none --query-sizes 1000
const sizesArg = (name: string): number[] => (arg(name, '100,1000') === 'none' ? [] : arg(name, '100,1000').split(',').map(Number));
const spreadSizes = sizesArg('spread-sizes');
const spreadCount = Number(arg('spread-count', '20'));

const s1 = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');
const known = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
const results: Record<string, unknown> = { command: process.argv.slice(2).join(' '), seed };

if (!process.argv.includes('--no-storm')) {
  const runs: [string, StormRun][] = [
    ['no events', runStorm({ nodes, seed, ratePerSec: 0, seconds, kills })],
    [`${rate} events/s`, runStorm({ nodes, seed, ratePerSec: rate, seconds, kills })],
  ];
  const [base] = runs.map(([, r]) => r);
  const lines = [
    `\nStorm: N = ${nodes}, ${kills} crashes over ${seconds} virtual s, seed ${seed}`,
    '| run | first dead median / max (s) | all dead median / max (s) | all dead median vs. no events | false positives | events | delivered to every live agent | (event, agent) pairs delivered | all have it p50 / p99 / max (s) | bytes/agent/s | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of runs) {
    const first = known(r.firstDeadMs);
    const all = known(r.allDeadMs);
    const ratio = median(all) / median(known(base!.allDeadMs));
    lines.push(
      `| ${name} | ${s1(median(first))} / ${s1(Math.max(...first))} | ${s1(median(all))} / ${s1(Math.max(...all))} | ${ratio.toFixed(3)} | ${r.falsePositives} | ${r.events} | ${r.eventsEverywhere} | ${(r.deliveredShare * 100).toFixed(4)}% | ${r.events ? `${s1(median(r.allHaveMs))} / ${s1(quantile(r.allHaveMs, 0.99))} / ${s1(Math.max(...r.allHaveMs))}` : '-'} | ${Math.round(r.bytesPerNodePerSec)} | ${(r.wallMs / 1000).toFixed(0)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  results.storm = runs.map(([name, r]) => ({
    name,
    ...r,
    allHaveMs: undefined,
    allHaveP50Ms: median(r.allHaveMs),
    allHaveP99Ms: quantile(r.allHaveMs, 0.99),
    allHaveMaxMs: r.allHaveMs.length ? Math.max(...r.allHaveMs) : null,
  }));
}

if (spreadSizes.length > 0) {
  const lines = [
    `\nSpread: ${spreadCount} events and ${spreadCount} tag changes, one of each every 2 s, seed ${seed}`,
    '| N | loss | event: all have it p50 / max (s) | tag change: all have it p50 / max (s) | event p50 / tag p50 | pairs delivered | pairs within 2 × tag p50 | wall s |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const spread: unknown[] = [];
  for (const n of spreadSizes) {
    for (const loss of [0, 0.05]) {
      const r = runSpread({ nodes: n, seed, loss, count: spreadCount });
      const ev = r.eventAllHaveMs;
      const tag = r.tagAllHaveMs;
      lines.push(
        `| ${n} | ${loss * 100}% | ${s1(median(ev))} / ${s1(Math.max(...ev))} | ${s1(median(tag))} / ${s1(Math.max(...tag))} | ${(median(ev) / median(tag)).toFixed(2)} | ${(r.deliveredShare * 100).toFixed(3)}% | ${(r.withinTwiceMembership * 100).toFixed(3)}% | ${(r.wallMs / 1000).toFixed(0)} |`,
      );
      spread.push({ ...r, eventP50Ms: median(ev), eventMaxMs: Math.max(...ev), tagP50Ms: median(tag), tagMaxMs: Math.max(...tag) });
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  results.spread = spread;
}

const querySizes = sizesArg('query-sizes');
if (querySizes.length > 0) {
  const lines = [
    `\nQueries: ${Number(arg('query-count', '5'))} queries, every agent answers, 5% loss, default timeout, seed ${seed}`,
    '| N | relay factor | acks received | responses received | timeout (s) | last answer median (s) | wall s |',
    '|---|---|---|---|---|---|---|',
  ];
  const queries: unknown[] = [];
  for (const n of querySizes) {
    for (const relay of [0, 2]) {
      const r = runQueries({ nodes: n, seed, loss: 0.05, relay, count: Number(arg('query-count', '5')) });
      lines.push(
        `| ${n} | ${relay} | ${(r.ackShare * 100).toFixed(2)}% | ${(r.responseShare * 100).toFixed(2)}% | ${s1(r.timeoutMs)} | ${s1(median(r.lastAnswerMs))} | ${(r.wallMs / 1000).toFixed(0)} |`,
      );
      queries.push(r);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  results.queries = queries;
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/events.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
