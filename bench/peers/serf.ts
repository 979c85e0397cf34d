/**
 * `npm run bench:serf`: our agent side by side with HashiCorp Serf (Debian's `serf`), same `lan`
 * timings, same machine, one run. Every run of either system happens in its own private network
 * namespace (bench/peers/run.ts under `unshare -n`), alternating serf and ours.
 *
 *   node --import tsx bench/peers/serf.ts [--plan 8x3,32x3,64x3] [--launch 8x3,32x3,64x3] [--idle 35] [--loss-sec 120] [--loss-n 32] [--stalls 1,2,3,4] [--stall-n 8] [--merge] [--commit SHA] [--out serf.json]
 *
 * `--plan` is size x runs; `--loss-sec 0` skips the loss runs, `--plan none` the matrix;
 * `--launch` the runs that start all agents at once and time from their launch (`none` skips);
 * `--merge` adds to the runs already in bench/results/serf.json instead of starting afresh;
 * `--commit SHA` runs our agent from that commit (default: HEAD when the bench starts), built
 * there as `npm ci` builds it (a commit from before the build existed runs its sources via tsx).
 * Writes bench/results/serf.json and bench/results/serf-convergence-N.svg; prints the table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { ROOT } from '../../harness/procs.js';
import type { System } from '../../harness/peers/logs.js';
import { markdown, medianRun, type Collected } from '../../harness/peers/report.js';
import type { LaunchRun, LossRun, MatrixRun, StallRun } from '../../harness/peers/results.js';
import { convergenceSvg, type Panel } from '../../harness/peers/svg.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
/** `--NAME 8x3,32x3` (cluster size × rounds, comma-separated; `none` for no runs), default 8x3,32x3,64x3. */
const sizesOpt = (name: string): [number, number][] => {
  const v = opt(name, '8x3,32x3,64x3');
  return v === 'none' ? [] : v.split(',').map((p) => p.split('x').map(Number) as [number, number]);
};
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const RESULTS = `${ROOT}bench/results`;
/** `--out NAME`: the results file under bench/results (default serf.json), so a partial series does not replace the full one. */
const JSON_FILE = `${RESULTS}/${opt('out', 'serf.json')}`;

/** Is `cmd` runnable? (`args` must make it exit 0.) */
const runs = (cmd: string, args: readonly string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;

/** Make sure a Debian package's command exists, installing it with apt-get if it is missing. */
function ensure(cmd: string, args: readonly string[], pkg: string): string | null {
  if (runs(cmd, args)) return null;
  log(`${cmd} is missing: installing Debian's ${pkg} with apt-get`);
  if (!runs('apt-get', ['update', '-qq']) || !runs('apt-get', ['install', '-y', '-qq', pkg]))
    return `apt-get could not install ${pkg} (no root, or no package archive reachable)`;
  return runs(cmd, args) ? null : `${pkg} installed but \`${cmd}\` still does not run`;
}

const pids = new Set<number>();
let worker: ReturnType<typeof spawn> | null = null;

/** End, by PID, any agent that a worker started and left behind (checking it is still ours). */
function reap(): void {
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('serf') || cmdline.includes('src/cli/main.ts') || cmdline.includes('dist/bin/phantom.js')) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: nothing to end.
    }
  }
  pids.clear();
}

/** One run of one system in a fresh namespace; resolves to its RESULT, or null if it failed. */
let snap = '';

function runOne<T>(system: System, args: readonly string[], boundSec: number): Promise<T | null> {
  return new Promise((resolve) => {
    const child = spawn(
      'unshare',
      ['-n', '--', process.execPath, '--import', 'tsx', 'bench/peers/run.ts', '--system', system, '--deadline', String(boundSec), '--root', snap, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, PEERS_NETNS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    worker = child;
    let result: T | null = null;
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith('RESULT ')) result = JSON.parse(l.slice(7)) as T;
    });
    createInterface({ input: child.stderr! }).on('line', (l) => {
      const m = /^PID (\d+)$/.exec(l);
      if (m) pids.add(Number(m[1]));
      else log(`  [${system}] ${l}`);
    });
    // The worker bounds itself; this is the bound on the worker.
    const guard = setTimeout(() => child.kill('SIGKILL'), (boundSec + 60) * 1000);
    child.once('exit', () => {
      clearTimeout(guard);
      worker = null;
      reap();
      resolve(result);
    });
  });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    worker?.kill('SIGKILL');
    reap();
    if (snap) rmSync(snap, { recursive: true, force: true });
    process.exit(130);
  });
}

/**
 * Our agent runs from a snapshot of one commit (git archive into a temp dir, node_modules
 * linked), built there as `npm ci` would, so uncommitted edits in the work tree, which other
 * work may be making while the bench runs, do not change the agent halfway through.
 */
function snapshot(commit: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new Error(`--commit must be a commit hash, not ${commit}`);
  const dir = mkdtempSync(`${tmpdir()}/phantom-bench-`);
  // Only the paths that exist at that commit (git archive fails on a missing one).
  const want = ['src', 'bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
  const have = spawnSync('git', ['ls-tree', '--name-only', commit, ...want], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  const r = spawnSync('sh', ['-c', `git archive ${commit} ${have.join(' ')} | tar -x -C '${dir}'`], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot snapshot ${commit}: ${r.stderr}`);
  symlinkSync(`${ROOT}node_modules`, `${dir}/node_modules`);
  if (existsSync(`${dir}/scripts/build.mjs`)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (b.status !== 0) throw new Error(`cannot build ${commit}: ${b.stderr}`);
  }
  return dir;
}

/** The full hash of a commit (HEAD by default). */
function resolveCommit(rev: string): string {
  const r = spawnSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no such commit: ${rev}`);
  return r.stdout.trim();
}

function writeSvgs(c: Collected): string[] {
  const files: string[] = [];
  const colors: Record<System, string> = { ours: '#d62728', serf: '#1f77b4' };
  for (const [n, bySys] of Object.entries(c.matrix)) {
    const pick = { ours: medianRun(bySys.ours), serf: medianRun(bySys.serf) };
    if (!pick.ours || !pick.serf) continue;
    const panelOf = (title: string, key: 'join' | 'failed' | 'left', total: (r: MatrixRun) => number): Panel => ({
      title,
      series: (['ours', 'serf'] as const).map((s) => ({ label: s, color: colors[s], times: pick[s]!.curves[key], total: total(pick[s]!) })),
    });
    const svg = convergenceSvg(
      [
        panelOf(`join: agents that see all (N=${n})`, 'join', (r) => r.agents),
        panelOf('SIGKILL: agents that mark it dead', 'failed', (r) => r.agents - 1),
        panelOf('leave: agents that mark it left', 'left', (r) => r.agents - 2),
      ],
      `Fraction of agents that know of the event over time; median-join run of each system; lan profile, 127.0.0.1, one process per agent. bench/peers/serf.ts`,
    );
    const f = `${RESULTS}/serf-convergence-${n}.svg`;
    writeFileSync(f, svg);
    files.push(f);
  }
  return files;
}

async function main(): Promise<void> {
  const skip = ensure('unshare', ['-n', 'true'], 'util-linux') ?? ensure('serf', ['version'], 'serf') ?? ensure('nft', ['--version'], 'nftables');
  if (skip) {
    log(`bench:serf skipped: ${skip}. It needs root (for unshare -n and nftables), Debian's serf and nftables.`);
    return;
  }
  const plan = sizesOpt('plan');
  const idle = opt('idle', '35');
  const lossSec = Number(opt('loss-sec', '120'));
  const lossN = opt('loss-n', '32');
  // Pin the agent to one commit (--commit, default HEAD now) so a whole series of runs, across
  // several invocations with --merge, measures the same code while others keep committing.
  const commit = resolveCommit(opt('commit', 'HEAD'));
  snap = snapshot(commit);
  const merge = argv.includes('--merge') && existsSync(JSON_FILE);
  const prior = merge ? (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as { collected: Collected; commands: string[]; notes: string[]; commit?: string }) : null;
  const c: Collected = prior?.collected ?? { matrix: {}, loss: {} };
  c.launch ??= {};
  const launchPlan = sizesOpt('launch');
  const command = `node --import tsx bench/peers/serf.ts ${argv.join(' ')}`.trim();
  const meta = {
    // A merge that runs nothing only redraws the charts and the table: not a command that measured.
    commands: [...(prior?.commands ?? []), ...(plan.length > 0 || launchPlan.length > 0 || lossSec > 0 ? [command] : [])],
    serf: spawnSync('serf', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0],
    node: process.version,
    cores: cpus().length,
    // The commit of ours that this invocation measured; a redraw keeps the one of the runs.
    commit: plan.length > 0 || launchPlan.length > 0 || lossSec > 0 ? commit : (prior?.commit ?? commit),
    notes: prior?.notes ?? [],
  };
  const save = (): void => {
    mkdirSync(RESULTS, { recursive: true });
    // Fields this script does not know (e.g. hand-kept earlier runs) survive a merge.
    writeFileSync(JSON_FILE, `${JSON.stringify({ ...(prior ?? {}), ...meta, at: new Date().toISOString(), collected: c }, null, 2)}\n`);
  };
  log(
    `bench:serf: ${meta.serf}; node ${meta.node}; ${meta.cores} cores; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  for (const [n, count] of launchPlan) {
    const slot = (c.launch[String(n)] ??= { ours: [], serf: [] });
    for (let r = 0; r < count; r++) {
      const order: System[] = r % 2 === 0 ? ['serf', 'ours'] : ['ours', 'serf'];
      for (const s of order) {
        log(`launch N=${n} run ${r + 1}/${count}: ${s} (load ${loadavg()[0]!.toFixed(2)})`);
        const res = await runOne<LaunchRun>(s, ['--n', String(n), '--mode', 'launch'], 300);
        if (res) {
          slot[s].push({ ...res, commit });
          log(`  ${JSON.stringify(res.result)}`);
        } else log(`  ${s} launch N=${n} run failed; left out of the medians`);
        save();
      }
    }
  }
  for (const [n, count] of plan) {
    const slot = (c.matrix[String(n)] ??= { ours: [], serf: [] });
    for (let r = 0; r < count; r++) {
      // Alternate which system goes first, so a drift in the machine's load hits both alike.
      const order: System[] = r % 2 === 0 ? ['serf', 'ours'] : ['ours', 'serf'];
      for (const s of order) {
        log(`N=${n} run ${r + 1}/${count}: ${s} (load ${loadavg()[0]!.toFixed(2)})`);
        const res = await runOne<MatrixRun>(s, ['--n', String(n), '--mode', 'matrix', '--idle', idle], 900);
        if (res) {
          slot[s].push({ ...res, commit });
          log(`  ${JSON.stringify(res.result)}`);
        } else log(`  ${s} N=${n} run failed; left out of the medians`);
        save();
      }
    }
  }
  // --stalls 1,2,3,4: one agent of --stall-n (8) SIGSTOPped for each in turn, both systems (issue 18).
  const stallsArg = opt('stalls', '');
  if (stallsArg) {
    const stalls = c.stall ?? (c.stall = {});
    for (const s of ['serf', 'ours'] as const) {
      log(`stalls ${stallsArg} s, N=${opt('stall-n', '8')}: ${s} (load ${loadavg()[0]!.toFixed(2)})`);
      const res = await runOne<StallRun>(s, ['--n', opt('stall-n', '8'), '--mode', 'stall', '--stalls', stallsArg], 900);
      if (res) (stalls[s] ??= []).push({ ...res, commit });
      else log(`  ${s} stall run failed`);
      save();
    }
  }
  if (lossSec > 0) {
    for (const s of ['serf', 'ours'] as const) {
      log(`loss 10% N=${lossN} ${lossSec}s: ${s} (load ${loadavg()[0]!.toFixed(2)})`);
      const res = await runOne<LossRun>(s, ['--n', lossN, '--mode', 'loss', '--loss', '10', '--loss-sec', String(lossSec)], lossSec + 600);
      if (res) {
        (c.loss[s] ??= []).push({ ...res, commit });
        log(`  ${JSON.stringify(res)}`);
      } else log(`  ${s} loss run failed`);
      save();
    }
  }
  save();
  rmSync(snap, { recursive: true, force: true });
  const svgs = writeSvgs(c);
  process.stdout.write(`${markdown(c)}\nresults: ${JSON_FILE}\ncharts: ${svgs.join(', ')}\n`);
}

main().catch((e: unknown) => {
  worker?.kill('SIGKILL');
  reap();
  if (snap) rmSync(snap, { recursive: true, force: true });
  log(`bench:serf failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
