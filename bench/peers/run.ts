/**
 * One run of one system, inside a private network namespace (bench/peers/serf.ts starts this
 * file under `unshare -n`; it refuses to run otherwise, so it never touches the host's
 * loopback). Starts N agents on 127.0.0.1, measures, ends every agent by PID and prints one
 * `RESULT {json}` line. Agent PIDs go to stderr as `PID n` as they start, so the parent can
 * end them if this process dies first.
 *
 *   PEERS_NETNS=1 unshare -n -- node --import tsx bench/peers/run.ts --system serf|ours --n 32 --mode matrix|loss|launch [--idle 35] [--loss-sec 120]
 *
 * `launch` starts all N agents at once, as a user starting a cluster does, and times from the
 * launch of the processes (not from their "started" lines) until every agent lists every agent
 * alive; `matrix` starts them in batches and measures join, detection, leave and idle costs.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { findAdminToken } from '../../src/admin/token.js';
import { serfRate, type System } from '../../harness/peers/logs.js';
import { curve, falsePositives, firstAt, firstTimeAll, mean, median } from '../../harness/peers/measure.js';
import type { LaunchRun, LossRun, MatrixRun, StallResult, StallRun } from '../../harness/peers/results.js';
import { ADMIN_BASE, allSee, procCpuSec, procRssMiB, spawnPeer, startPeer, stopPeer, waitStarted, type PeerProc } from './procs.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (s: string): void => void process.stderr.write(`${s}\n`);

function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

// Counters on the namespace's output hook: every packet between two local sockets passes it once.
// Admin/RPC ports (ADMIN_BASE+) are left out so our admin API reads do not count as gossip.
const NFT_SETUP = `table inet peers {
  counter gossip { }
  chain out {
    type filter hook output priority 0; policy accept;
    tcp dport ${ADMIN_BASE}-${ADMIN_BASE + 999} accept
    tcp sport ${ADMIN_BASE}-${ADMIN_BASE + 999} accept
    counter name gossip
  }
}
`;

function nftCounter(): { packets: number; bytes: number } | null {
  try {
    const out = sh('nft', ['list', 'counter', 'inet', 'peers', 'gossip']);
    const m = /packets (\d+) bytes (\d+)/.exec(out);
    return m ? { packets: Number(m[1]), bytes: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

async function ourBytesOut(p: PeerProc): Promise<number> {
  const admin = `127.0.0.1:${ADMIN_BASE + Number(p.name.slice(1))}`;
  // The agent published its admin token for this user (none from a tree older than the token).
  const token = findAdminToken(admin);
  const r = await fetch(`http://${admin}/v1/stats`, { signal: AbortSignal.timeout(5000), headers: token ? { authorization: `Bearer ${token}` } : {} });
  return ((await r.json()) as { bytesOut: number }).bytesOut;
}

async function startAll(system: System, n: number, procs: PeerProc[]): Promise<void> {
  const onPid = (pid: number): void => log(`PID ${pid}`);
  const root = opt('root', '') || undefined;
  procs.push(await startPeer(system, 'a0', 0, onPid, root));
  // Batches of 8, as bench/agents.ts: starting 64 Node processes at once on 2 cores would
  // measure the scheduler, not the protocol.
  for (let i = 1; i < n; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => startPeer(system, `a${i + k}`, i + k, onPid, root)));
    procs.push(...batch);
  }
}

async function launch(system: System, n: number, procs: PeerProc[]): Promise<LaunchRun> {
  const onPid = (pid: number): void => log(`PID ${pid}`);
  const root = opt('root', '') || undefined;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) procs.push(spawnPeer(system, `a${i}`, i, onPid, root, { atOnce: true }));
  await Promise.all(procs.map(waitStarted));
  const names = procs.map((p) => p.name);
  await allSee(procs, names, 'alive', 240_000);
  const cpu = procs.map((p) => procCpuSec(p.pid));
  const rss = median(procs.map((p) => procRssMiB(p.pid)));
  const joinTimes = procs.map((p) => firstTimeAll(p.events, p.name, names, 'alive'));
  const done = Math.max(...joinTimes.map((t) => t ?? Infinity));
  const started = procs.map((p) => p.startedAt - t0);
  return {
    agents: n,
    loadavg: loadavg(),
    result: {
      joinFromLaunchMs: done - t0,
      joinFromLastStartMs: done - Math.max(...procs.map((p) => p.startedAt)),
      startedMedianMs: median(started),
      startedMaxMs: Math.max(...started),
      cpuSecPerAgentToConverge: mean(cpu),
      rssMiBPerAgent: rss,
    },
    curve: curve(joinTimes, t0),
  };
}

async function matrix(system: System, n: number, idleSec: number, procs: PeerProc[]): Promise<MatrixRun> {
  await startAll(system, n, procs);
  const names = procs.map((p) => p.name);
  const lastStart = Math.max(...procs.map((p) => p.startedAt));
  await allSee(procs, names, 'alive', 240_000);
  const joinTimes = procs.map((p) => firstTimeAll(p.events, p.name, names, 'alive'));
  const joinConvergenceMs = Math.max(...joinTimes.map((t) => t ?? Infinity)) - lastStart;

  // Steady state: let the join's broadcasts drain before counting.
  await sleep(3000);
  const pids = procs.map((p) => p.pid);
  const cpu0 = pids.map(procCpuSec);
  const ours0 = system === 'ours' ? await Promise.all(procs.map(ourBytesOut)) : [];
  const wire0 = nftCounter();
  const t0 = Date.now();
  await sleep(idleSec * 1000);
  const t1 = Date.now();
  const cpu1 = pids.map(procCpuSec);
  const wire1 = nftCounter();
  const ours1 = system === 'ours' ? await Promise.all(procs.map(ourBytesOut)) : [];
  const rss = median(pids.map(procRssMiB));
  const dt = (t1 - t0) / 1000;
  let bytesOutPerAgentPerSec: number;
  if (system === 'ours') {
    bytesOutPerAgentPerSec = mean(ours1.map((b, i) => b - ours0[i]!)) / dt;
  } else {
    // serf dumps its in-memory metrics (10 s intervals) on SIGUSR1; only whole intervals inside
    // the idle window count.
    for (const p of procs) p.child.kill('SIGUSR1');
    await sleep(1000);
    bytesOutPerAgentPerSec = mean(
      procs.map((p) => {
        const udp = serfRate(p.metricLines, 'serf-agent.memberlist.udp.sent', t0, t1);
        const tcp = serfRate(p.metricLines, 'serf-agent.memberlist.tcp.sent', t0, t1);
        return udp.spanMs > 0 ? ((udp.sum + tcp.sum) / udp.spanMs) * 1000 : Number.NaN;
      }),
    );
  }
  const wire = wire0 && wire1 ? { bytes: (wire1.bytes - wire0.bytes) / n / dt, packets: (wire1.packets - wire0.packets) / n / dt } : null;

  const victim = procs[n - 1]!;
  const live = procs.slice(0, n - 1);
  const killedAt = Date.now();
  await stopPeer(victim, 'SIGKILL');
  await allSee(live, [victim.name], 'failed', 120_000);
  const isVictimSuspect = (e: PeerProc['events'][number]['ev']): boolean =>
    (e.kind === 'suspect' && e.member === victim.name) ||
    (e.kind === 'member' && e.member === victim.name && (e.status === 'suspect' || e.status === 'failed'));
  const suspectAt = live.map((p) => firstAt(p.events, isVictimSuspect, killedAt));
  const failedAt = live.map((p) => firstAt(p.events, (e) => e.kind === 'member' && e.member === victim.name && e.status === 'failed', killedAt));

  const leaver = procs[n - 2]!;
  const rest = procs.slice(0, n - 2);
  const leftAt = Date.now();
  // serf leaves gracefully on SIGINT (SIGTERM does not leave by default); ours on either.
  const leaving = stopPeer(leaver, system === 'serf' ? 'SIGINT' : 'SIGTERM', 20_000);
  await allSee(rest, [leaver.name], 'left', 60_000);
  await leaving;
  const leftTimes = rest.map((p) => firstAt(p.events, (e) => e.kind === 'member' && e.member === leaver.name && e.status === 'left', leftAt));
  const leaveSeenFailed = rest.filter(
    (p) => firstAt(p.events, (e) => e.kind === 'member' && e.member === leaver.name && e.status === 'failed', leftAt) !== null,
  ).length;
  const finite = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
  return {
    agents: n,
    loadavg: loadavg(),
    result: {
      joinConvergenceMs,
      firstSuspectMs: Math.min(...finite(suspectAt)) - killedAt,
      firstFailedMs: Math.min(...finite(failedAt)) - killedAt,
      allFailedMs: Math.max(...finite(failedAt)) - killedAt,
      ...(system === 'ours' ? { allSuspectMs: Math.max(...live.map((_, i) => Math.min(suspectAt[i] ?? Infinity, failedAt[i] ?? Infinity))) - killedAt } : {}),
      leaveMs: Math.max(...finite(leftTimes)) - leftAt,
      leaveSeenFailed,
      rssMiBPerAgent: rss,
      cpuSecPerAgentPerIdleMin: (mean(cpu1.map((c, i) => c - cpu0[i]!)) / dt) * 60,
      bytesOutPerAgentPerSec,
      wireBytesPerAgentPerSec: wire ? wire.bytes : null,
      wirePacketsPerAgentPerSec: wire ? wire.packets : null,
    },
    joinByAgent: Object.fromEntries(procs.map((p, i) => [p.name, joinTimes[i] === null ? null : joinTimes[i]! - lastStart])),
    curves: { join: curve(joinTimes, lastStart), failed: curve(failedAt, killedAt), left: curve(leftTimes, leftAt) },
  };
}

async function loss(system: System, n: number, lossPercent: number, seconds: number, procs: PeerProc[]): Promise<LossRun> {
  await startAll(system, n, procs);
  const names = procs.map((p) => p.name);
  await allSee(procs, names, 'alive', 240_000);
  await sleep(3000);
  // Random loss on every packet out, gossip UDP and TCP alike (memberlist falls back to TCP pings,
  // so dropping only UDP would favour it); the admin/RPC ports are accepted by the earlier rules.
  sh('nft', ['add', 'rule', 'inet', 'peers', 'out', 'numgen', 'random', 'mod', '100', '<', String(lossPercent), 'drop']);
  const from = Date.now();
  await sleep(seconds * 1000);
  const fp = falsePositives(procs, new Set(names), from);
  const suspectLines = procs.reduce(
    (s, p) => s + p.events.filter((e) => e.at >= from && ((e.ev.kind === 'member' && e.ev.status === 'suspect') || e.ev.kind === 'suspect')).length,
    0,
  );
  const raised = new Set<string>();
  let serfSuspects = 0;
  for (const p of procs) {
    for (const { at, ev } of p.events) {
      if (at < from) continue;
      if (ev.kind === 'suspect') serfSuspects++;
      else if (ev.kind === 'member' && ev.status === 'suspect') raised.add(`${ev.member}@${ev.incarnation ?? '?'}`);
    }
  }
  const suspicions = system === 'serf' ? serfSuspects : raised.size;
  return {
    agents: n,
    lossPercent,
    seconds,
    falsePositives: fp.members.length,
    falsePositiveMembers: fp.members,
    failedLines: fp.pairs,
    suspectLines,
    suspicions,
    loadavg: loadavg(),
  };
}

/** SIGSTOP the last agent for each of `stallsSec` in turn (SIGCONT after), watching 25 s after each. */
async function stall(system: System, n: number, stallsSec: number[], procs: PeerProc[]): Promise<StallRun> {
  await startAll(system, n, procs);
  const names = procs.map((p) => p.name);
  await allSee(procs, names, 'alive', 240_000);
  await sleep(3000);
  const victim = procs[n - 1]!;
  const live = procs.slice(0, n - 1);
  const stalls: StallResult[] = [];
  for (const sec of stallsSec) {
    const from = Date.now();
    victim.child.kill('SIGSTOP');
    await sleep(sec * 1000);
    victim.child.kill('SIGCONT');
    await sleep(25_000);
    const about = (e: PeerProc['events'][number]['ev'], status: string): boolean =>
      (e.kind === 'member' && e.member === victim.name && e.status === status) || (status === 'suspect' && e.kind === 'suspect' && e.member === victim.name);
    const failed = live.filter((p) => firstAt(p.events, (e) => about(e, 'failed'), from) !== null).length;
    const suspectAt = live.map((p) => firstAt(p.events, (e) => about(e, 'suspect') || about(e, 'failed'), from));
    const all = suspectAt.every((t) => t !== null) ? Math.max(...(suspectAt as number[])) - from : null;
    stalls.push({
      stallMs: sec * 1000,
      failedObservers: failed,
      survivors: live.length,
      suspectObservers: suspectAt.filter((t) => t !== null).length,
      allSuspectMs: system === 'ours' ? all : null,
    });
    log(`  stall ${sec}s: ${JSON.stringify(stalls[stalls.length - 1])}`);
    // Back to a clean start before the next stall (a victim declared failed must be back).
    await allSee(live, [victim.name], 'alive', 60_000).catch(() => undefined);
    await sleep(5000);
  }
  return { agents: n, stalls, loadavg: loadavg() };
}

async function main(): Promise<void> {
  if (process.env.PEERS_NETNS !== '1')
    throw new Error('run.ts runs only inside the private namespace that bench/peers/serf.ts makes (PEERS_NETNS=1 under unshare -n)');
  const system = opt('system', 'ours') as System;
  if (system !== 'ours' && system !== 'serf') throw new Error(`--system must be ours or serf, not ${system}`);
  const n = Number(opt('n', '8'));
  const mode = opt('mode', 'matrix');
  sh('ip', ['link', 'set', 'lo', 'up']);
  sh('nft', ['-f', '-'], NFT_SETUP);
  const procs: PeerProc[] = [];
  // A hard bound on the whole run: whatever hangs, the agents are ended and this process exits.
  const deadline = setTimeout(
    () => {
      log('run.ts: deadline reached, ending agents');
      for (const p of procs) p.child.kill('SIGKILL');
      process.exit(3);
    },
    Number(opt('deadline', '900')) * 1000,
  );
  try {
    const out =
      mode === 'loss'
        ? await loss(system, n, Number(opt('loss', '10')), Number(opt('loss-sec', '120')), procs)
        : mode === 'launch'
          ? await launch(system, n, procs)
          : mode === 'stall'
            ? await stall(system, n, opt('stalls', '1,2,3,4').split(',').map(Number), procs)
            : await matrix(system, n, Number(opt('idle', '35')), procs);
    process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  } finally {
    clearTimeout(deadline);
    await Promise.all(procs.map((p) => stopPeer(p, 'SIGKILL')));
  }
}

main().catch((e: unknown) => {
  log(`run.ts failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
