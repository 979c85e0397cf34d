/**
 * `npm run bench:lifeguard`: plain SWIM, each Lifeguard part alone, and all of it, in the same
 * degraded cluster (harness/lifeguard-scenario.ts): 5% loss everywhere, 4 agents stalling
 * 0.5–3 s every 2–5 s, 3 healthy agents killed. Prints a table per size and writes
 * bench/results/lifeguard.json.
 *
 *   npm run bench:lifeguard                      # N = 64 and 256, seeds 1..5, 10 virtual minutes
 *   npm run bench:lifeguard -- --sizes 64 --seeds 3 --minutes 5
 *   npm run bench:lifeguard -- --sizes 256 --seeds 2 --rows 0,6,10,11 --rapid-seeds 1
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readJsonFile } from '../src/runtime/json-file.js';
import { lifeguardOnly, plainSwim, type ProtocolConfig } from '../src/config.js';
import { runLifeguardScenario, runRapidScenario, type LifeguardRun, type RapidFault } from '../harness/lifeguard-scenario.js';
import { stringOption } from '../harness/args.js';

const arg = stringOption;
const sizes = arg('sizes', '64,256').split(',').map(Number);
const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + 1);
const minutes = Number(arg('minutes', '10'));

const on = (part: Partial<ProtocolConfig>): Partial<ProtocolConfig> => ({ ...plainSwim, ...part });
const rows: [string, Partial<ProtocolConfig>][] = [
  ['plain SWIM', plainSwim],
  ['awareness alone', on({ lifeguardAwareness: true })],
  ['nack alone', on({ lifeguardNack: true })],
  ['awareness + nack', on({ lifeguardAwareness: true, lifeguardNack: true })],
  ['dynamic suspicion alone', on({ lifeguardDynamicSuspicion: true })],
  ['buddy alone', on({ lifeguardBuddy: true })],
  ['all of Lifeguard', lifeguardOnly],
  ['stall detection alone (ours)', on({ stallDetection: true })],
  ['active confirmation alone (ours)', on({ activeConfirmation: true })],
  ['flap damping alone (ours)', on({ flapDamping: true })],
  ['Lifeguard + stall detection', { ...lifeguardOnly, stallDetection: true }],
  ['everything (the default)', {}],
];
const rapidSize = Number(arg('rapid-size', '256'));
// --rows 0,6,10: only these rows of the table (by index), to keep a large run within its time.
const rowFilter = arg('rows', '');
const chosenRows = rowFilter ? rows.filter((_, i) => rowFilter.split(',').map(Number).includes(i)) : rows;
const rapidSeedCount = Number(arg('rapid-seeds', '3'));
const skipRapid = process.argv.includes('--no-rapid');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sec = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : 'never');

const results: Record<string, unknown>[] = [];
for (const nodes of sizes) {
  const lines = [
    `\nN = ${nodes}, ${seeds.length} seeds x ${minutes} virtual min, 5% loss, 4 stalling agents, 3 kills`,
    '| configuration | false positives | on healthy agents | dead verdicts | suspicions | first dead median / max (s) | all dead median / max (s) | msgs/agent/s | bytes/agent/s | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const [name, config] of chosenRows) {
    const t = Date.now();
    const runs: LifeguardRun[] = seeds.map((seed) => runLifeguardScenario({ nodes, seed, minutes, config }));
    const sum = (f: (r: LifeguardRun) => number): number => runs.reduce((a, r) => a + f(r), 0);
    const first = runs.flatMap((r) => r.firstDeadMs);
    const all = runs.flatMap((r) => r.allDeadMs);
    const row = {
      nodes,
      seeds: seeds.length,
      minutes,
      configuration: name,
      config,
      falsePositives: sum((r) => r.falsePositives),
      falsePositivesOnHealthy: sum((r) => r.falsePositivesOnHealthy),
      deadVerdicts: sum((r) => r.falseVerdicts),
      suspicions: sum((r) => r.suspicions),
      firstDeadMedianMs: median(first),
      firstDeadMaxMs: Math.max(...first),
      allDeadMedianMs: median(all),
      allDeadMaxMs: Math.max(...all),
      msgsPerNodePerSec: Math.round((sum((r) => r.msgsPerNodePerSec) / runs.length) * 100) / 100,
      bytesPerNodePerSec: Math.round(sum((r) => r.bytesPerNodePerSec) / runs.length),
      wallMs: Date.now() - t,
    };
    results.push(row);
    process.stdout.write(
      `| ${name} | ${row.falsePositives} | ${row.falsePositivesOnHealthy} | ${row.deadVerdicts} | ${row.suspicions} | ${sec(row.firstDeadMedianMs)} / ${sec(row.firstDeadMaxMs)} | ${sec(row.allDeadMedianMs)} / ${sec(row.allDeadMaxMs)} | ${row.msgsPerNodePerSec} | ${row.bytesPerNodePerSec} | ${(row.wallMs / 1000).toFixed(0)} |\n`,
    );
  }
}
const rapid: Record<string, unknown>[] = [];
if (!skipRapid) {
  const rapidSeeds = seeds.slice(0, rapidSeedCount);
  process.stdout.write(
    `\nRapid's one-way faults on 1% of ${rapidSize} members, ${rapidSeeds.length} seeds x ${minutes} virtual min (targets: at most 2 alive<->dead changes per faulty member, 0 false positives on healthy members, msgs at most 1.2x Lifeguard's)\n` +
      '| fault | configuration | changes per faulty member, median / max | false positives on healthy | msgs/agent/s | bytes/agent/s | wall s |\n|---|---|---|---|---|---|---|\n',
  );
  for (const fault of ['egress-loss-80', 'ingress-flip-flop'] as RapidFault[]) {
    for (const [name, config] of [
      ['Lifeguard', lifeguardOnly],
      ['everything (the default)', {}],
    ] as [string, Partial<ProtocolConfig>][]) {
      const t = Date.now();
      const runs = rapidSeeds.map((seed) => runRapidScenario({ nodes: rapidSize, seed, minutes, config, fault }));
      const row = {
        fault,
        nodes: rapidSize,
        seeds: rapidSeeds.length,
        minutes,
        configuration: name,
        transitionsMedian: median(runs.map((r) => r.transitionsMedian)),
        transitionsMax: Math.max(...runs.map((r) => r.transitionsMax)),
        falsePositivesOnHealthy: runs.reduce((a, r) => a + r.falsePositivesOnHealthy, 0),
        msgsPerNodePerSec: Math.round((runs.reduce((a, r) => a + r.msgsPerNodePerSec, 0) / runs.length) * 100) / 100,
        bytesPerNodePerSec: Math.round(runs.reduce((a, r) => a + r.bytesPerNodePerSec, 0) / runs.length),
        wallMs: Date.now() - t,
      };
      rapid.push(row);
      process.stdout.write(
        `| ${fault} | ${name} | ${row.transitionsMedian} / ${row.transitionsMax} | ${row.falsePositivesOnHealthy} | ${row.msgsPerNodePerSec} | ${row.bytesPerNodePerSec} | ${(row.wallMs / 1000).toFixed(0)} |\n`,
      );
    }
  }
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/lifeguard.json', import.meta.url);
// Rows of sizes not run this time are kept from the last run, each stamped with its own time.
const at = new Date().toISOString();
for (const r of [...results, ...rapid]) r.measuredAt = at;
const before = (readJsonFile(file, { code: 'ERR_ARGUMENT', label: String(file), missingOk: true }) ?? {}) as {
  results?: Record<string, unknown>[];
  rapid?: Record<string, unknown>[];
};
const keep = (old: Record<string, unknown>[] | undefined, fresh: Record<string, unknown>[], key: (r: Record<string, unknown>) => string) => {
  const seen = new Set(fresh.map(key));
  return [...(old ?? []).filter((r) => !seen.has(key(r))), ...fresh];
};
const merged = {
  at,
  results: keep(before.results, results, (r) => `${r.nodes}|${r.configuration}`),
  rapid: keep(before.rapid, rapid, (r) => `${r.fault}|${r.configuration}`),
};
writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
process.stdout.write(`\nwrote ${file.pathname}\n`);
