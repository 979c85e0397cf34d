/**
 * `npm run bench:isolate`: does a host that blocks its main thread get its member declared dead?
 * Eight real processes on loopback, lan profile: seven `phantom agent`s and one database node
 * stand-in (harness/blocking-member.ts, an embedded Cluster) whose main thread blocks for
 * each of --durations seconds, one block every --period seconds. Once with the agent on the
 * blocked event loop (isolate 'none'), once in a worker thread (isolate 'worker'), side by side:
 * - how many of the seven declared it dead (and suspected it, and saw its health=busy tag), and
 *   how long until all seven held it alive again;
 * - the stand-in's start time (Cluster.start, join included) and RSS once settled;
 * - the cost of a lookup (n = 3) and a pick on its main thread (median of --cost-runs runs).
 *
 *   node --import tsx bench/isolate.ts [--durations 1,3,10] [--period 40] [--cycles 1] [--modes none,worker] [--cost-runs 5] [--runner compiled|tsx]
 *
 * The stand-in runs as compiled JavaScript by default (tsc into .scratch/isolate-build, as a
 * published package would run); `--runner tsx` runs it from the TypeScript sources, where the
 * worker pays for loading tsx and transpiling its module graph again.
 *
 * Results go to bench/results/isolate.json; bench/ISOLATE.md records numbers and commands.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { procRssMiB } from './peers/procs.js';
import { ROOT, allSee, startAgent, stop, type AgentProc } from '../harness/procs.js';
import { spawnBlocker, type Blocker } from '../harness/blocker-client.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const durations = opt('durations', '1,3,10').split(',').map(Number);
const periodSec = Number(opt('period', '40'));
const cycles = Number(opt('cycles', '1'));
const modes = opt('modes', 'none,worker').split(',') as ('none' | 'worker')[];
const costRuns = Number(opt('cost-runs', '5'));
const runner = opt('runner', 'compiled') as 'compiled' | 'tsx';
const OTHERS = 7;
const BUILD = '.scratch/isolate-build';
if (runner === 'compiled') {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--noEmit', 'false', '--outDir', BUILD], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
}
const NAME = 'db';
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface BlockResult {
  blockSec: number;
  cycle: number;
  /** Observers (of 7) that logged the stand-in failed in this block's window. */
  declaredDeadBy: number;
  suspectedBy: number;
  /** Observers that logged its health=busy tag. */
  sawBusyBy: number;
  /** From the block's start until all observers held it alive again (ms); 0 if nobody marked it otherwise. */
  outOfClusterMs: number;
}

interface CostResult {
  mode: 'none' | 'worker';
  /** Cluster.start, join included (ms). */
  startMs: number;
  /** The stand-in process once settled (MiB). */
  rssMiB: number;
  /** Median over the alternating runs (ns per call on the main thread). */
  lookupNs: number;
  pickNs: number;
}

interface BlockRun {
  mode: 'none' | 'worker';
  blocks: BlockResult[];
}

function startBlocker(mode: 'none' | 'worker', seed: string, name = NAME): Blocker {
  const config = { isolate: mode, join: [seed], agent: { name, bind: '127.0.0.1:0', profile: 'lan', logLevel: 'warn' } };
  return spawnBlocker(runner === 'compiled' ? [`${BUILD}/harness/blocking-member.js`] : ['--import', 'tsx', 'harness/blocking-member.ts'], config);
}

/** The log lines of `o` about the stand-in since `from` (index into o.lines). */
const about = (o: AgentProc, from: number): Record<string, unknown>[] => o.lines.slice(from).filter((l) => l.member === NAME);

/** Seven agents; `fn` runs with them; they are stopped after, whatever happens. */
async function withOthers<T>(fn: (others: AgentProc[], seed: string) => Promise<T>): Promise<T> {
  const others: AgentProc[] = [];
  try {
    others.push(await startAgent('a0', ['--bind', '127.0.0.1:0', '--admin', 'off', '--profile', 'lan']));
    const seed = others[0]!.address;
    others.push(
      ...(await Promise.all(
        Array.from({ length: OTHERS - 1 }, (_, i) => startAgent(`a${i + 1}`, ['--bind', '127.0.0.1:0', '--admin', 'off', '--profile', 'lan', '--join', seed])),
      )),
    );
    await allSee(
      others,
      others.map((o) => o.name),
      'alive',
      60_000,
    );
    return await fn(others, seed);
  } finally {
    await Promise.all(others.map((o) => stop(o)));
  }
}

/**
 * Start, memory and main-thread costs, side by side: both stand-ins join the same seven agents
 * (one after the other, so each start is timed alone), then cost runs alternate between them so
 * that the load of a shared machine falls on both alike.
 */
async function costs(): Promise<CostResult[]> {
  log(`== costs: ${OTHERS} agents, an in-loop and a worker stand-in, ${costRuns} alternating runs`);
  return withOthers(async (others, seed) => {
    const stand: Blocker[] = [];
    try {
      for (const m of ['none', 'worker'] as const) {
        const b = startBlocker(m, seed, `db-${m}`);
        stand.push(b);
        await b.until(() => b.lines.some((l) => l.blocker === 'ready'), 60_000, 'stand-in ready');
      }
      await allSee(others, ['db-none', 'db-worker'], 'alive', 30_000);
      await sleep(5000); // settle: the first push-pulls, the mirror, the JIT
      const runs: { lookupNs: number; pickNs: number }[][] = [[], []];
      for (let r = 0; r < costRuns; r++) {
        for (const [i, b] of stand.entries()) {
          const n = b.lines.length;
          b.send('cost 200000');
          await b.until(() => b.lines.slice(n).some((l) => l.blocker === 'cost'), 30_000, 'cost');
          runs[i]!.push(b.lines.slice(n).find((l) => l.blocker === 'cost') as unknown as { lookupNs: number; pickNs: number });
        }
      }
      return stand.map((b, i) => {
        const ready = b.lines.find((l) => l.blocker === 'ready')!;
        const r: CostResult = {
          mode: i === 0 ? 'none' : 'worker',
          startMs: Number(ready.startMs),
          rssMiB: procRssMiB(b.child.pid!),
          lookupNs: median(runs[i]!.map((c) => c.lookupNs)),
          pickNs: median(runs[i]!.map((c) => c.pickNs)),
        };
        log(
          `   ${r.mode}: start ${r.startMs.toFixed(0)} ms, RSS ${r.rssMiB.toFixed(1)} MiB, lookup ${r.lookupNs.toFixed(0)} ns, pick ${r.pickNs.toFixed(0)} ns`,
        );
        return r;
      });
    } finally {
      for (const b of stand) if (b.child.exitCode === null) b.child.kill('SIGKILL');
    }
  });
}

async function runMode(mode: 'none' | 'worker'): Promise<BlockRun> {
  log(`== blocks, ${mode}: ${OTHERS} agents and the stand-in`);
  return withOthers(async (others, seed) => {
    let blocker: Blocker | undefined;
    try {
      const b = startBlocker(mode, seed);
      blocker = b;
      await b.until(() => b.lines.some((l) => l.blocker === 'ready'), 60_000, 'stand-in ready');
      await allSee(others, [NAME], 'alive', 30_000);
      const result: BlockRun = { mode, blocks: [] };
      for (const d of durations) {
        for (let c = 0; c < cycles; c++) {
          const marks = others.map((o) => o.lines.length);
          const startedAt = Date.now();
          const n = b.lines.length;
          b.send(`block ${d * 1000}`);
          await b.until(() => b.lines.slice(n).some((l) => l.blocker === 'unblocked'), d * 1000 + 30_000, 'unblocked');
          // Wait out the period (at least), and until every observer holds it alive and untagged again.
          const periodEnd = startedAt + periodSec * 1000;
          await Promise.all(others.map((o) => o.until(() => o.view.get(NAME) === 'alive', 120_000, 'stand-in alive again').catch(() => {})));
          const backAt = Date.now();
          if (Date.now() < periodEnd) await sleep(periodEnd - Date.now());
          const rows = others.map((o, i) => about(o, marks[i]!));
          const block: BlockResult = {
            blockSec: d,
            cycle: c,
            declaredDeadBy: rows.filter((r) => r.some((l) => l.status === 'failed')).length,
            suspectedBy: rows.filter((r) => r.some((l) => l.status === 'suspect')).length,
            sawBusyBy: rows.filter((r) => r.some((l) => (l.tags as Record<string, string> | undefined)?.health === 'busy')).length,
            outOfClusterMs: rows.some((r) => r.some((l) => l.status !== 'alive')) ? backAt - startedAt : 0,
          };
          result.blocks.push(block);
          log(
            `   block ${d} s #${c}: dead by ${block.declaredDeadBy}/${OTHERS}, suspected by ${block.suspectedBy}, busy seen by ${block.sawBusyBy}, out ${block.outOfClusterMs} ms`,
          );
        }
      }
      return result;
    } finally {
      if (blocker && blocker.child.exitCode === null) blocker.child.kill('SIGKILL');
    }
  });
}

const cost = await costs();
const results: BlockRun[] = [];
for (const m of modes) results.push(await runMode(m));

const loopCost = cost.find((c) => c.mode === 'none');
const workerCost = cost.find((c) => c.mode === 'worker');
const loop = results.find((r) => r.mode === 'none');
const worker = results.find((r) => r.mode === 'worker');
const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined && a > 0 ? (b / a).toFixed(2) : '-');
const rows: string[] = ['| measure | in-loop | worker | worker / in-loop |', '|---|---|---|---|'];
rows.push(
  `| start (Cluster.start + join), ms | ${loopCost?.startMs.toFixed(0) ?? '-'} | ${workerCost?.startMs.toFixed(0) ?? '-'} | ${ratio(loopCost?.startMs, workerCost?.startMs)} |`,
);
rows.push(
  `| RSS once settled, MiB | ${loopCost?.rssMiB.toFixed(1) ?? '-'} | ${workerCost?.rssMiB.toFixed(1) ?? '-'} | ${ratio(loopCost?.rssMiB, workerCost?.rssMiB)} |`,
);
rows.push(
  `| lookup (n = 3) on the main thread, ns | ${loopCost?.lookupNs.toFixed(0) ?? '-'} | ${workerCost?.lookupNs.toFixed(0) ?? '-'} | ${ratio(loopCost?.lookupNs, workerCost?.lookupNs)} |`,
);
rows.push(
  `| pick + done on the main thread, ns | ${loopCost?.pickNs.toFixed(0) ?? '-'} | ${workerCost?.pickNs.toFixed(0) ?? '-'} | ${ratio(loopCost?.pickNs, workerCost?.pickNs)} |`,
);
for (const d of durations) {
  for (let c = 0; c < cycles; c++) {
    const l = loop?.blocks.find((x) => x.blockSec === d && x.cycle === c);
    const w = worker?.blocks.find((x) => x.blockSec === d && x.cycle === c);
    const cell = (x: BlockResult | undefined): string =>
      x
        ? `dead ${x.declaredDeadBy}/${OTHERS}, suspect ${x.suspectedBy}/${OTHERS}, busy ${x.sawBusyBy}/${OTHERS}, out ${(x.outOfClusterMs / 1000).toFixed(1)} s`
        : '-';
    rows.push(`| block ${d} s${cycles > 1 ? ` #${c + 1}` : ''} | ${cell(l)} | ${cell(w)} | |`);
  }
}
const table = rows.join('\n');
process.stdout.write(`${table}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/isolate.json', import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({ command: `node --import tsx bench/isolate.ts ${argv.join(' ')}`.trim(), at: new Date().toISOString(), node: process.version, runner, periodSec, cycles, costs: cost, blocks: results }, null, 2)}\n`,
);
log(`wrote ${out.pathname}`);
