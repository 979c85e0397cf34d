/**
 * One simulator benchmark case, run in its own process so that heap and wall time are its own.
 * Prints one JSON object on stdout. Used by bench/sim.ts; runnable alone:
 *   node --import tsx bench/sim/case.ts scaling 1000
 */
import { loadavg } from 'node:os';
import { Simulation } from '../../src/sim/index.js';

const [kind = 'scaling', nArg = '100', extra = ''] = process.argv.slice(2);
const n = Number(nArg);
const seed = Number(process.env.BENCH_SEED ?? 1);
let peakHeap = 0;
// BENCH_PROGRESS=1: a line on stderr per virtual second (how far a long run got, and its memory).
const progress = process.env.BENCH_PROGRESS === '1';
let lastProgressAt = -1;
const sampleHeap = (): void => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const second = Math.floor(sim.now / 1000);
  if (progress && second !== lastProgressAt) {
    lastProgressAt = second;
    const cpu = process.cpuUsage();
    process.stderr.write(
      `virtual ${second} s, running ${sim.running().length}, heap ${mb(m.heapUsed)} MB, rss ${mb(m.rss)} MB, wall ${Math.round((performance.now() - wall0) / 1000)} s, cpu ${Math.round((cpu.user + cpu.system) / 1e6)} s, load ${loadavg()[0]!.toFixed(1)}\n`,
    );
  }
};
const mb = (b: number): number => Math.round(b / 1048576);
const wall0 = performance.now();

/** Run in 1 s steps so the heap is sampled along the way. */
function runSampled(sim: Simulation, ms: number): void {
  const end = sim.now + ms;
  while (sim.now < end) {
    sim.run(Math.min(1000, end - sim.now));
    sampleHeap();
  }
}

function convergeSampled(sim: Simulation, maxMs: number): number | null {
  const ok = sim.runUntil(
    () => {
      sampleHeap();
      return sim.checkConverged();
    },
    maxMs,
    100,
  );
  return ok ? sim.joinConvergenceMs() : null;
}

const out: Record<string, unknown> = { kind, n, seed };
const sim = new Simulation({ nodes: n, seed });
const period = sim.config.probeIntervalMs;
// 'large': hosts boot over 10 s and join through 3 seeds (issue 16); the others: within 1 s
// through agent 0.
if (kind === 'large') sim.joinAll({ seeds: [0, 1, 2], spreadMs: 10_000 });
else sim.joinAll({ spreadMs: 1000 });

switch (kind) {
  case 'scaling': {
    // Join convergence, then one crash and the time until every survivor holds it dead.
    const conv = convergeSampled(sim, 120_000);
    out.joinConvergenceMs = conv;
    runSampled(sim, 5_000);
    sim.kill(n - 1);
    sim.runUntil(() => sim.report().detection[0]?.allDeadMs != null, 120_000, 250);
    const d = sim.report().detection[0]!;
    out.firstSuspectMs = d.firstSuspectMs;
    out.firstDeadMs = d.firstDeadMs;
    out.allDeadMs = d.allDeadMs;
    out.joinPeriods = conv === null ? null : round(conv / period);
    out.allDeadPeriods = d.allDeadMs === null ? null : round(d.allDeadMs / period);
    out.log2N = round(Math.log2(n));
    break;
  }
  case 'burst': {
    // Everyone within one second through the same seed; converged = every table complete.
    out.joinConvergenceMs = convergeSampled(sim, 120_000);
    out.virtualMsAtConvergence = sim.now;
    break;
  }
  case 'cost': {
    // n agents × `extra` virtual seconds (default 60), join included.
    const secs = Number(extra || 60);
    runSampled(sim, secs * 1000);
    out.virtualSeconds = secs;
    out.converged = sim.checkConverged();
    break;
  }
  case 'load': {
    // Steady state: converge, let the join news drain, then measure 60 s.
    out.joinConvergenceMs = convergeSampled(sim, 120_000);
    runSampled(sim, 30_000);
    sim.markSteady();
    runSampled(sim, 60_000);
    const r = sim.report();
    out.msgsPerNodePerSec = r.msgsPerNodePerSec;
    out.bytesPerNodePerSec = r.bytesPerNodePerSec;
    out.packetsPerNodePerSec = r.packetsPerNodePerSec;
    out.agreement = r.agreement;
    break;
  }
  case 'large': {
    // 60 virtual s: join (within 10 s), steady load over 10 s once converged, then a crash and
    // its detection, all inside the minute; converged again at the end (the victim excluded).
    const conv = convergeSampled(sim, 40_000);
    out.joinConvergenceMs = conv;
    out.convergedAtMs = conv === null ? null : sim.now;
    const steadyFrom = Math.max(sim.now, 25_000);
    runSampled(sim, steadyFrom - sim.now);
    sim.markSteady();
    runSampled(sim, 10_000);
    const load = sim.report();
    out.msgsPerNodePerSec = load.msgsPerNodePerSec;
    out.bytesPerNodePerSec = load.bytesPerNodePerSec;
    sim.kill(n - 1);
    runSampled(sim, 60_000 - sim.now);
    const d = sim.report().detection[0]!;
    out.firstSuspectMs = d.firstSuspectMs;
    out.firstDeadMs = d.firstDeadMs;
    out.allDeadMs = d.allDeadMs;
    out.virtualSeconds = sim.now / 1000;
    out.converged = sim.checkConverged();
    break;
  }
  case 'memory': {
    // Bytes per member per agent: converge, let the join news drain, collect, (heap used + array
    // buffers) / N². The member tables are typed arrays, whose bytes live outside the JS heap:
    // heap used alone leaves them out. Run with --expose-gc (bench/sim.ts does) so the figure is
    // live memory, not garbage.
    out.joinConvergenceMs = convergeSampled(sim, 120_000);
    runSampled(sim, 10_000);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = process.memoryUsage();
    out.gcRun = gc !== undefined;
    out.heapUsedMB = mb(m.heapUsed);
    out.arrayBuffersMB = mb(m.arrayBuffers);
    out.heapBytesPerMemberPerAgent = Math.round(m.heapUsed / (n * n));
    out.bytesPerMemberPerAgent = Math.round((m.heapUsed + m.arrayBuffers) / (n * n));
    break;
  }
  default:
    throw new Error(`unknown case ${kind}`);
}
sampleHeap();
out.falsePositives = sim.report().falsePositives;
out.wallMs = Math.round(performance.now() - wall0);
// CPU time of this process (user + system): on a shared machine, closer to the work done than wall.
const cpu = process.cpuUsage();
out.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
out.peakHeapMB = mb(peakHeap);
out.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
// The host's 1-minute load average at the end: wall times are only comparable at equal load.
out.loadAvg = Math.round(loadavg()[0]! * 10) / 10;
process.stdout.write(`${JSON.stringify(out)}\n`);

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
