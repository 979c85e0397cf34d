/**
 * `npm run bench:agents`: real agents on loopback. For each size N (real processes through the
 * CLI, `lan` profile by default) and once in-process (N agents on UDP sockets in one Node
 * process, to show the cost of an agent without the runtime's own): join convergence, detection
 * after SIGKILL (first suspect, all failed), leave propagation, RSS per agent, CPU seconds per
 * agent per idle minute, bytes sent per agent per second. Median of `--runs` runs.
 *
 *   node --import tsx bench/agents.ts [--sizes 8,32,64] [--runs 3] [--idle 20] [--inproc 64] [--profile lan]
 *
 * Results go to bench/results/agents-<time>.json; bench/AGENTS.md records numbers and commands.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createAgent, type Agent } from '../src/agent/agent.js';
import { findAdminToken } from '../src/admin/token.js';
import { allSee, RUNTIME_DIR, startAgent, stop, type AgentProc } from '../harness/procs.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const sizes = opt('sizes', '8,32,64').split(',').filter(Boolean).map(Number);
const runs = Number(opt('runs', '3'));
const idleSec = Number(opt('idle', '20'));
const inproc = Number(opt('inproc', '64'));
const profile = opt('profile', 'lan');

interface Result {
  joinConvergenceMs: number;
  firstSuspectMs: number;
  allFailedMs: number;
  leaveMs: number;
  rssMiBPerAgent: number;
  cpuSecPerAgentPerIdleMin: number;
  bytesOutPerAgentPerSec: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const log = (s: string): void => void process.stderr.write(`${s}\n`);

function procCpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
}
function procRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}
async function bytesOut(admin: string): Promise<number> {
  // The agents publish their admin token where harness/procs.ts pointed them.
  const token = findAdminToken(admin, {}, { ...process.env, PHANTOM_RUNTIME_DIR: RUNTIME_DIR });
  const r = await fetch(`http://${admin}/v1/stats`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return ((await r.json()) as { bytesOut: number }).bytesOut;
}

async function processRun(n: number): Promise<Result> {
  const args = (join?: string): string[] => ['--bind', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--profile', profile, ...(join ? ['--join', join] : [])];
  const procs: AgentProc[] = [];
  try {
    procs.push(await startAgent('b0', args()));
    let lastStart = 0;
    for (let i = 1; i < n; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => startAgent(`b${i + k}`, args(procs[0]!.address))));
      procs.push(...batch);
      lastStart = Date.now();
    }
    const names = procs.map((p) => p.name);
    await allSee(procs, names, 'alive', 180_000);
    const joinConvergenceMs = Date.now() - lastStart;

    const pids = procs.map((p) => p.child.pid!);
    const cpu0 = pids.map(procCpuSec);
    const b0 = await Promise.all(procs.map((p) => bytesOut(p.admin)));
    const t0 = Date.now();
    await sleep(idleSec * 1000);
    const dt = (Date.now() - t0) / 1000;
    const cpu1 = pids.map(procCpuSec);
    const b1 = await Promise.all(procs.map((p) => bytesOut(p.admin)));
    const rss = median(pids.map(procRssMiB));

    const victim = procs[n - 1]!;
    const live = procs.slice(0, n - 1);
    const killedAt = Date.now();
    await stop(victim, 'SIGKILL');
    await allSee(live, [victim.name], 'failed', 120_000);
    const allFailedMs = Date.now() - killedAt;
    const suspectTimes = live.flatMap((p) =>
      p.lines.filter((l) => l.member === victim.name && (l.status === 'suspect' || l.status === 'failed')).map((l) => Number(l.time)),
    );
    const firstSuspectMs = Math.min(...suspectTimes) - killedAt;

    const leaver = procs[n - 2]!;
    const rest = procs.slice(0, n - 2);
    const leftAt = Date.now();
    await stop(leaver, 'SIGTERM');
    await allSee(rest, [leaver.name], 'left', 60_000);
    const leaveMs = Date.now() - leftAt;
    return {
      joinConvergenceMs,
      firstSuspectMs,
      allFailedMs,
      leaveMs,
      rssMiBPerAgent: rss,
      cpuSecPerAgentPerIdleMin: (mean(cpu1.map((c, i) => c - cpu0[i]!)) / dt) * 60,
      bytesOutPerAgentPerSec: mean(b1.map((b, i) => b - b0[i]!)) / dt,
    };
  } finally {
    await Promise.all(procs.map((p) => stop(p)));
  }
}

/** Resolve when pred() holds, checked on every membership event of any agent. */
function whenAll(agents: readonly Agent[], pred: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (): void => offs.forEach((o) => o());
    const timer = setTimeout(() => (done(), reject(new Error('timed out'))), ms);
    const check = (): void => {
      if (!pred()) return;
      clearTimeout(timer);
      done();
      resolve();
    };
    for (const a of agents) for (const t of ['join', 'update', 'suspect', 'alive', 'failed', 'left'] as const) offs.push(a.on(t, check));
    check();
  });
}

async function inProcessRun(n: number): Promise<Result> {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const agents: Agent[] = [];
  try {
    for (let i = 0; i < n; i++) agents.push(await createAgent({ name: `p${i}`, bind: '127.0.0.1:0', profile, admin: null, logLevel: 'silent' }));
    const startedAt = Date.now();
    const seen = (o: Agent, name: string, state: string): boolean => o.member(name)?.state === state;
    const joined = whenAll(agents, () => agents.every((o) => agents.every((s) => seen(o, s.name, 'alive'))), 180_000);
    await Promise.all(agents.slice(1).map((a) => a.join([agents[0]!.address])));
    await joined;
    const joinConvergenceMs = Date.now() - startedAt;

    const cpu0 = process.cpuUsage();
    const b0 = agents.map((a) => a.stats().bytesOut);
    const t0 = Date.now();
    await sleep(idleSec * 1000);
    const dt = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const b1 = agents.map((a) => a.stats().bytesOut);
    const rssPer = (process.memoryUsage().rss - rss0) / n / 2 ** 20;

    const victim = agents[n - 1]!;
    const live = agents.slice(0, n - 1);
    let firstSuspect = Infinity;
    for (const a of live) a.on('suspect', (e) => void (e.member.name === victim.name && (firstSuspect = Math.min(firstSuspect, Date.now()))));
    const killedAt = Date.now();
    await victim.shutdown();
    await whenAll(live, () => live.every((o) => seen(o, victim.name, 'dead')), 120_000);
    const allFailedMs = Date.now() - killedAt;

    const leaver = agents[n - 2]!;
    const rest = agents.slice(0, n - 2);
    const leftAt = Date.now();
    const gone = whenAll(rest, () => rest.every((o) => seen(o, leaver.name, 'left')), 60_000);
    await leaver.leave();
    await leaver.shutdown();
    await gone;
    return {
      joinConvergenceMs,
      firstSuspectMs: Math.min(firstSuspect, Date.now()) - killedAt,
      allFailedMs,
      leaveMs: Date.now() - leftAt,
      rssMiBPerAgent: rssPer,
      cpuSecPerAgentPerIdleMin: ((cpu.user + cpu.system) / 1e6 / n / dt) * 60,
      bytesOutPerAgentPerSec: mean(b1.map((b, i) => b - b0[i]!)) / dt,
    };
  } finally {
    await Promise.all(agents.map((a) => a.shutdown()));
  }
}

function summarise(rs: Result[]): Result {
  const keys = Object.keys(rs[0]!) as (keyof Result)[];
  return Object.fromEntries(keys.map((k) => [k, Math.round(median(rs.map((r) => r[k])) * 1000) / 1000])) as unknown as Result;
}

const out: Record<string, { runs: Result[]; median: Result }> = {};
for (const n of sizes) {
  const rs: Result[] = [];
  for (let r = 0; r < runs; r++) {
    log(`processes N=${n} run ${r + 1}/${runs}...`);
    rs.push(await processRun(n));
    log(`  ${JSON.stringify(rs.at(-1))}`);
  }
  out[`processes-${n}`] = { runs: rs, median: summarise(rs) };
}
if (inproc > 0) {
  const rs: Result[] = [];
  for (let r = 0; r < runs; r++) {
    log(`in-process N=${inproc} run ${r + 1}/${runs}...`);
    rs.push(await inProcessRun(inproc));
    log(`  ${JSON.stringify(rs.at(-1))}`);
  }
  out[`in-process-${inproc}`] = { runs: rs, median: summarise(rs) };
}
const report = {
  command: `node --import tsx bench/agents.ts ${argv.join(' ')}`.trim(),
  profile,
  idleSec,
  runs,
  node: process.version,
  at: new Date().toISOString(),
  results: out,
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/agents-${report.at.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(
  `| setup | join conv. ms | first suspect ms | all failed ms | leave ms | RSS MiB/agent | CPU s/agent/idle min | bytes out/agent/s |\n|---|---|---|---|---|---|---|---|\n`,
);
for (const [k, v] of Object.entries(out)) {
  const m = v.median;
  process.stdout.write(
    `| ${k} | ${m.joinConvergenceMs} | ${m.firstSuspectMs} | ${m.allFailedMs} | ${m.leaveMs} | ${m.rssMiBPerAgent.toFixed(1)} | ${m.cpuSecPerAgentPerIdleMin.toFixed(3)} | ${m.bytesOutPerAgentPerSec.toFixed(0)} |\n`,
  );
}
process.stdout.write(`results: ${file}\n`);
