/**
 * The simulator of two trees in one process, alternating runs (before, after, after, before, ...):
 * the same JIT, the same machine load, CPU time (user + system) per run. For changes whose cost
 * is a few percent, which separate processes on a loaded machine cannot show.
 *
 *   git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   node --expose-gc --max-old-space-size=8000 --import tsx bench/sim/side-by-side.ts /tmp/before 1000 60 2
 *
 * Arguments: the "before" tree, agents (default 300), virtual seconds (default 20), rounds (each
 * runs both trees; default 2). Prints a table and writes bench/results/sim-side-by-side.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const [beforeArg, nArg = '300', secsArg = '20', roundsArg = '2'] = process.argv.slice(2);
if (!beforeArg) throw new Error('usage: side-by-side.ts BEFORE_TREE [agents] [virtual seconds] [rounds]');
const n = Number(nArg);
const secs = Number(secsArg);
const rounds = Number(roundsArg);
const trees = { before: resolve(beforeArg), after: resolve(here, '../..') };

interface SimLike {
  joinAll(o: { spreadMs: number }): void;
  run(ms: number): void;
  report(): { traceHash: string; joinConvergenceMs: number | null; falsePositives: number };
}
const sims: Record<string, new (o: { nodes: number; seed: number }) => SimLike> = {};
for (const [k, root] of Object.entries(trees))
  sims[k] = ((await import(join(root, 'src/sim/index.ts'))) as { Simulation: new (o: { nodes: number; seed: number }) => SimLike }).Simulation;

const runs: { tree: string; cpuMs: number; heapMB: number; traceHash: string; loadAvg: number }[] = [];
for (let r = 0; r < rounds; r++) {
  for (const tree of r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.cpuUsage();
    const sim = new sims[tree]!({ nodes: n, seed: 1 });
    sim.joinAll({ spreadMs: 1000 });
    sim.run(secs * 1000);
    const c = process.cpuUsage(t0);
    runs.push({
      tree,
      cpuMs: Math.round((c.user + c.system) / 1000),
      heapMB: Math.round(process.memoryUsage().heapUsed / 1048576),
      traceHash: sim.report().traceHash,
      loadAvg: Math.round(loadavg()[0]! * 10) / 10,
    });
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)]!;
const of = (tree: string): number[] => runs.filter((x) => x.tree === tree).map((x) => x.cpuMs);
const summary = {
  n,
  virtualSeconds: secs,
  rounds,
  before: trees.before,
  medianCpuMsBefore: median(of('before')),
  medianCpuMsAfter: median(of('after')),
  ratio: Math.round((median(of('after')) / median(of('before'))) * 1000) / 1000,
  sameTrace: new Set(runs.map((x) => x.traceHash)).size === 1,
  measuredAt: new Date().toISOString(),
};
console.log('| run | tree | CPU ms | heap after run MB | trace | load |');
console.log('|---|---|---|---|---|---|');
runs.forEach((x, i) => console.log(`| ${i + 1} | ${x.tree} | ${x.cpuMs} | ${x.heapMB} | ${x.traceHash} | ${x.loadAvg} |`));
console.log(
  `median CPU: before ${summary.medianCpuMsBefore} ms, after ${summary.medianCpuMsAfter} ms, ratio ${summary.ratio}; same trace: ${summary.sameTrace}`,
);
mkdirSync(join(here, '../results'), { recursive: true });
writeFileSync(join(here, '../results/sim-side-by-side.json'), `${JSON.stringify({ summary, runs }, null, 2)}\n`);
