/**
 * `npm run bench:sim`: the simulator's scaling, bootstrap burst, cost, memory, large runs and load, each case in its
 * own process (bench/sim/case.ts). Prints tables and writes bench/results/sim.json.
 *
 *   npm run bench:sim                      # everything (about 30 minutes on 2 cores)
 *   npm run bench:sim -- scaling load      # chosen sections: scaling burst cost memory large load
 *   BENCH_HUGE=0 npm run bench:sim         # skip the 10,000-agent run (section large)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readJsonFile } from '../src/runtime/json-file.js';

type Row = Record<string, unknown>;
const sections = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
const caseFile = new URL('./sim/case.ts', import.meta.url).pathname;

function runCase(kind: string, n: number, extra = '', heapMB = 8192): Row {
  process.stderr.write(`  ${kind} n=${n}${extra ? ` ${extra}` : ''} ...`);
  const t = Date.now();
  try {
    const stdout = execFileSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--expose-gc', '--import', 'tsx', caseFile, kind, String(n), extra], {
      encoding: 'utf8',
      timeout: 30 * 60_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.stderr.write(` ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
    return JSON.parse(stdout.trim().split('\n').pop()!) as Row;
  } catch (e) {
    process.stderr.write(` failed\n`);
    return { kind, n, error: (e as Error).message.split('\n')[0] };
  }
}

function table(title: string, rows: Row[], cols: string[]): void {
  process.stdout.write(`\n${title}\n| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |\n`);
}

const results: Record<string, Row[]> = {};
if (want('scaling')) {
  results.scaling = [100, 300, 1000, 3000].map((n) => runCase('scaling', n, '', 16_000));
  table('Scaling (lan profile; periods = probe intervals of 1 s)', results.scaling, [
    'n',
    'log2N',
    'joinConvergenceMs',
    'joinPeriods',
    'firstSuspectMs',
    'firstDeadMs',
    'allDeadMs',
    'allDeadPeriods',
    'falsePositives',
    'wallMs',
    'peakHeapMB',
  ]);
}
if (want('burst')) {
  results.burst = [runCase('burst', 2000, '', 16_000)];
  table('Bootstrap burst: 2000 agents within 1 s through one seed (target: converged <= 10 s)', results.burst, [
    'n',
    'joinConvergenceMs',
    'falsePositives',
    'wallMs',
    'peakHeapMB',
  ]);
}
if (want('cost')) {
  // 3000 agents under a heap limit near their live data: with room to spare V8 defers major
  // collections and the process's RSS grows with garbage (2.0 GB with 8 GB allowed, 1.4 GB with 1.2).
  results.cost = [runCase('cost', 1000, '60'), runCase('cost', 3000, '60', 1200)];
  table('Cost: wall time and peak memory (targets: 1000 x 60 s <= 30 s wall; 3000 x 60 s <= 2 min, <= 1.5 GB)', results.cost, [
    'n',
    'virtualSeconds',
    'converged',
    'wallMs',
    'peakHeapMB',
    'peakRssMB',
    'loadAvg',
  ]);
}
if (want('memory')) {
  results.memory = [300, 1000].map((n) => runCase('memory', n));
  table('Memory: (heap used + array buffers) after gc / N^2 once converged (target <= 150 bytes per member per agent)', results.memory, [
    'n',
    'heapUsedMB',
    'arrayBuffersMB',
    'heapBytesPerMemberPerAgent',
    'bytesPerMemberPerAgent',
    'loadAvg',
  ]);
}
if (want('large')) {
  // Hosts boot over 10 s through 3 seeds, 60 virtual s; the 10,000-agent run takes minutes.
  const sizes = process.env.BENCH_HUGE === '0' ? [1000] : [1000, 10_000];
  results.large = sizes.map((n) => runCase('large', n, '', 20_000));
  table('Large: joining within 10 s through 3 seeds, 60 virtual s (target at 10,000: converged, <= 16 GB RSS, <= 15 min)', results.large, [
    'n',
    'joinConvergenceMs',
    'converged',
    'msgsPerNodePerSec',
    'bytesPerNodePerSec',
    'firstSuspectMs',
    'firstDeadMs',
    'allDeadMs',
    'falsePositives',
    'wallMs',
    'peakHeapMB',
    'peakRssMB',
    'loadAvg',
  ]);
}
if (want('load')) {
  results.load = [100, 1000].map((n) => runCase('load', n));
  table('Load in steady state (should be flat in N)', results.load, ['n', 'msgsPerNodePerSec', 'bytesPerNodePerSec', 'packetsPerNodePerSec', 'agreement']);
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/sim.json', import.meta.url);
// Sections not run this time keep their last measured rows, each with the date it was taken.
const previous =
  ((readJsonFile(file, { code: 'ERR_ARGUMENT', label: String(file), missingOk: true }) ?? {}) as { results?: Record<string, Row[]> }).results ?? {};
const at = new Date().toISOString();
for (const rows of Object.values(results)) for (const r of rows) r.measuredAt = at;
writeFileSync(file, `${JSON.stringify({ at, node: process.version, results: { ...previous, ...results } }, null, 2)}\n`);
process.stdout.write(`\nwrote ${file.pathname}\n`);
