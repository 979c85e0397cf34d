/**
 * `npm run bench:startup`: what one agent process costs, beside Node's own floor and Serf.
 *
 *   node --import tsx bench/startup.ts [--runs 10] [--idle 60] [--cluster 4] [--no-serf] [--builds]
 *
 * `--builds` adds two other builds of the same sources to the start-up rounds, made in
 * .scratch/builds/: tsc's output run as is (one module per source file, what the library
 * ships), and an esbuild bundle that also takes in the pure-JavaScript packages (pino,
 * msgpackr, ...). Why dist/bin is built the way it is.
 *
 * 1. Start-up, launch to the "started" line (ours: `agent started`, printed once the UDP socket
 *    is bound; serf: `Starting Serf agent RPC`, the same point): wall time, CPU time of every
 *    thread at that moment, RSS at that moment. Variants, interleaved run by run: Node's floor
 *    (a script that prints the same line at once), the compiled `phantom agent` as installed,
 *    the same through tsx from the sources (how every agent ran before the build), and serf.
 * 2. Memory 5 s after start, split: RSS, PSS, anonymous (this process's own) and file-backed
 *    (mostly the node or serf binary, shared by every process running it).
 * 3. The commands that talk to an agent: wall time of `phantom --help`, `phantom version`,
 *    `phantom members` against a running agent, and `serf members` against a running serf.
 * 4. Idle CPU: a cluster of `--cluster` agents of each system, running at the same time, CPU
 *    seconds per agent per minute over `--idle` seconds after convergence, and RSS at the end.
 * 5. N processes launched at once (N = 8, 64), each variant alone: launch until the last one
 *    printed "started", and the CPU they used. No join: this is the start-up alone, the floor
 *    under bench:serf's "join convergence from launch" on this many cores.
 * 6. A CPU profile of one agent's start (--cpu-prof), its busy time split by what it was doing.
 *
 * Prints tables and writes bench/results/startup.json; bench/STARTUP.md holds the numbers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../harness/procs.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const RUNS = Number(opt('runs', '10'));
const IDLE_SEC = Number(opt('idle', '60'));
const CLUSTER = Number(opt('cluster', '4'));
const BIN = join(ROOT, 'dist/bin/phantom.js');
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Other builds of the CLI for --builds: [name, entry file]. */
function otherBuilds(): [string, string][] {
  const dir = join(ROOT, '.scratch/builds');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // tsc as the library is built, plus src/cli, which the library build leaves out.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: 'tsc', declaration: false, sourceMap: false, inlineSources: false },
      include: ['../../src'],
      exclude: [],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc: ${tsc.stdout}${tsc.stderr}`);
  const esb = spawnSync(
    process.execPath,
    [
      '-e',
      `require('esbuild').buildSync({ absWorkingDir: ${JSON.stringify(ROOT)}, entryPoints: { phantom: 'src/cli/main.ts' }, outdir: ${JSON.stringify(join(dir, 'bundle-deps'))}, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', external: ['farmhash', 'msgpackr-extract', 'yargs', 'yargs/*'], chunkNames: '[name]-[hash]', banner: { js: "import { createRequire as __phantomCreateRequire } from 'node:module'; const require = __phantomCreateRequire(import.meta.url);" }, logLevel: 'error' })`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (esb.status !== 0) throw new Error(`esbuild: ${esb.stderr}`);
  for (const f of ['dashboard.html', 'dashboard.js']) {
    writeFileSync(join(dir, 'tsc/admin/dashboard', f), readFileSync(join(ROOT, 'src/admin/dashboard', f)));
    writeFileSync(join(dir, 'bundle-deps', f), readFileSync(join(ROOT, 'src/admin/dashboard', f)));
  }
  return [
    ['phantom agent, tsc output unbundled (~100 modules)', join(dir, 'tsc/cli/main.js')],
    ['phantom agent, bundle with pino and msgpackr inside', join(dir, 'bundle-deps/phantom.js')],
  ];
}

const hasSerf = !argv.includes('--no-serf') && spawnSync('serf', ['version'], { stdio: 'ignore' }).status === 0;
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);

const median = (xs: readonly number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const minOf = (xs: readonly number[]): number => Math.min(...xs.filter(Number.isFinite));
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : '—');

/** CPU time (ms) of every thread of a process so far: the first field of each task's schedstat (ns). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

/** utime + stime in seconds (USER_HZ ticks), for long windows. */
function cpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Mem {
  rss: number;
  pss: number;
  anon: number;
  file: number;
}

/** Memory of a process in MiB, from smaps_rollup. */
function memOf(pid: number): Mem {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), anon: kb('Anonymous'), file: kb('Rss') - kb('Anonymous') };
}

const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 that this run has not handed out before (serf needs fixed ports;
 * the same number is then free for UDP too, almost always).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

interface Variant {
  readonly name: string;
  /** Command line; `ports` gives fresh ports to systems that need fixed ones. */
  cmd(ports: [number, number]): string[];
  /** The line that marks "started". */
  readonly started: (line: string) => boolean;
  /** Also launched N at once (section 5). */
  readonly crowd?: boolean;
}

const ourStarted = (l: string): boolean => l.includes('"agent started"');
const serfStarted = (l: string): boolean => l.includes('==> Starting Serf agent RPC');
const ourAgent = (name = 'bench', extra: readonly string[] = []): string[] => [
  'agent',
  '--name',
  name,
  '--bind',
  '127.0.0.1:0',
  '--admin',
  '127.0.0.1:0',
  '--log-level',
  'info',
  ...extra,
];

const VARIANTS: Variant[] = [
  {
    name: 'node floor (prints the line at once)',
    cmd: () => [process.execPath, '-e', 'console.log(\'{"msg":"agent started"}\'); setInterval(() => {}, 1e6)'],
    started: ourStarted,
    crowd: true,
  },
  { name: 'phantom agent (compiled, dist/bin)', cmd: () => [process.execPath, BIN, ...ourAgent()], started: ourStarted, crowd: true },
  {
    name: 'phantom agent via tsx (sources; before the build)',
    cmd: () => [process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...ourAgent()],
    started: ourStarted,
  },
  ...(argv.includes('--builds')
    ? otherBuilds().map(([name, entry]): Variant => ({ name, cmd: () => [process.execPath, entry, ...ourAgent()], started: ourStarted }))
    : []),
  ...(hasSerf
    ? [
        {
          name: 'serf agent',
          cmd: ([a, b]: [number, number]) => ['serf', 'agent', '-node=bench', `-bind=127.0.0.1:${a}`, `-rpc-addr=127.0.0.1:${b}`, '-profile=lan'],
          started: serfStarted,
          crowd: true,
        },
      ]
    : []),
];

interface Launched {
  child: ChildProcess;
  /** Resolves with wall ms from launch to the started line (or rejects when the process exits first). */
  up: Promise<number>;
  lines: string[];
}

function launch(cmd: readonly string[], started: (l: string) => boolean, extraEnv: NodeJS.ProcessEnv = {}): Launched {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
  const lines: string[] = [];
  const up = new Promise<number>((resolve, reject) => {
    const onLine = (l: string): void => {
      lines.push(l);
      if (started(l)) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code} before starting: ${lines.slice(-5).join(' | ')}`)));
  });
  // Awaited later, maybe after it failed: not an unhandled rejection meanwhile.
  up.catch(() => undefined);
  return { child, up, lines };
}

async function end(p: Launched): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGKILL');
  await gone;
}

interface StartSample {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

async function startups(): Promise<Record<string, StartSample[]>> {
  const out: Record<string, StartSample[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const v of VARIANTS) {
      const p = launch(v.cmd([await freePort(), await freePort()]), v.started);
      try {
        const wallMs = await p.up;
        // Read at once: the process is still in the middle of what it does after the line.
        out[v.name]!.push({ wallMs, cpuMs: cpuMs(p.child.pid!), rssMiB: memOf(p.child.pid!).rss });
      } catch (e) {
        log(`  ${v.name}: ${(e as Error).message}`);
      } finally {
        await end(p);
      }
    }
    log(`start-up round ${r + 1}/${RUNS} (load ${loadavg()[0]!.toFixed(2)})`);
  }
  return out;
}

async function settledMemory(): Promise<Record<string, Mem>> {
  const out: Record<string, Mem> = {};
  for (const v of VARIANTS) {
    const p = launch(v.cmd([await freePort(), await freePort()]), v.started);
    try {
      await p.up;
      await sleep(5000);
      out[v.name] = memOf(p.child.pid!);
    } finally {
      await end(p);
    }
  }
  return out;
}

/** Wall ms of a command that runs to its end; undefined when it fails. */
function timed(cmd: readonly string[]): number | undefined {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: 'ignore', timeout: 30_000 });
  return r.status === 0 ? Number(process.hrtime.bigint() - t0) / 1e6 : undefined;
}

async function commands(): Promise<Record<string, number[]>> {
  const agent = launch([process.execPath, BIN, ...ourAgent()], ourStarted);
  await agent.up;
  // The admin address is on the line after "agent started".
  while (!agent.lines.some((l) => l.includes('"admin API listening"'))) await sleep(20);
  const admin = (JSON.parse(agent.lines.find((l) => l.includes('"admin API listening"'))!) as { admin: string }).admin;
  const rpc = await freePort();
  const serf = hasSerf ? launch(['serf', 'agent', '-node=bench', `-bind=127.0.0.1:${await freePort()}`, `-rpc-addr=127.0.0.1:${rpc}`], serfStarted) : undefined;
  if (serf) await serf.up;
  const list: [string, string[]][] = [
    ['node -e 0', [process.execPath, '-e', '0']],
    ['phantom --help', [process.execPath, BIN, '--help']],
    ['phantom version', [process.execPath, BIN, 'version']],
    ['phantom members', [process.execPath, BIN, 'members', '--admin', admin]],
    ['phantom members via tsx (before)', [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'members', '--admin', admin]],
    ...(serf ? ([['serf members', ['serf', 'members', `-rpc-addr=127.0.0.1:${rpc}`]]] as [string, string[]][]) : []),
  ];
  const out: Record<string, number[]> = Object.fromEntries(list.map(([n]) => [n, []]));
  try {
    for (let r = 0; r < RUNS; r++)
      for (const [name, cmd] of list) {
        const ms = timed(cmd);
        if (ms !== undefined) out[name]!.push(ms);
      }
  } finally {
    await end(agent);
    if (serf) await end(serf);
  }
  return out;
}

interface IdleResult {
  cpuSecPerAgentPerMin: number;
  rssMiB: number;
  pssMiB: number;
  anonMiB: number;
}

/** `n` agents of each system at once, each cluster converged, then `IDLE_SEC` of idling. */
async function idle(): Promise<Record<string, IdleResult>> {
  const clusters: Record<string, Launched[]> = { ours: [], ...(hasSerf ? { serf: [] } : {}) };
  const converged = (lines: readonly string[], system: string): boolean => {
    if (system === 'ours') {
      // Ours logs the other members, not itself; serf logs its own join too.
      const alive = new Set(lines.filter((l) => l.includes('"status":"alive"')).map((l) => (JSON.parse(l) as { member: string }).member));
      return alive.size >= CLUSTER - 1;
    }
    return lines.filter((l) => l.includes('EventMemberJoin')).length >= CLUSTER;
  };
  try {
    const seed = launch([process.execPath, BIN, ...ourAgent('o0')], ourStarted);
    clusters.ours!.push(seed);
    await seed.up;
    const address = (JSON.parse(seed.lines.find(ourStarted)!) as { address: string }).address;
    for (let i = 1; i < CLUSTER; i++) clusters.ours!.push(launch([process.execPath, BIN, ...ourAgent(`o${i}`, ['--join', address])], ourStarted));
    if (hasSerf) {
      const seedPort = await freePort();
      for (let i = 0; i < CLUSTER; i++) {
        const join = i === 0 ? [] : [`-join=127.0.0.1:${seedPort}`];
        const p = launch(
          [
            'serf',
            'agent',
            `-node=s${i}`,
            `-bind=127.0.0.1:${i === 0 ? seedPort : await freePort()}`,
            `-rpc-addr=127.0.0.1:${await freePort()}`,
            '-profile=lan',
            ...join,
          ],
          serfStarted,
        );
        clusters.serf!.push(p);
        await p.up;
      }
    }
    const deadline = Date.now() + 60_000;
    for (const [system, ps] of Object.entries(clusters)) {
      await Promise.all(ps.map((p) => p.up));
      while (!ps.every((p) => converged(p.lines, system))) {
        if (Date.now() > deadline) throw new Error(`${system}: no convergence within 60 s`);
        await sleep(100);
      }
    }
    await sleep(3000);
    const c0 = Object.fromEntries(Object.entries(clusters).map(([s, ps]) => [s, ps.map((p) => cpuSec(p.child.pid!))]));
    const t0 = Date.now();
    log(`idle: ${Object.keys(clusters).length} clusters of ${CLUSTER}, ${IDLE_SEC} s`);
    await sleep(IDLE_SEC * 1000);
    const minutes = (Date.now() - t0) / 60_000;
    const out: Record<string, IdleResult> = {};
    for (const [s, ps] of Object.entries(clusters)) {
      const used = ps.map((p, i) => cpuSec(p.child.pid!) - c0[s]![i]!);
      const mem = ps.map((p) => memOf(p.child.pid!));
      out[s] = {
        cpuSecPerAgentPerMin: used.reduce((a, b) => a + b, 0) / ps.length / minutes,
        rssMiB: median(mem.map((m) => m.rss)),
        pssMiB: median(mem.map((m) => m.pss)),
        anonMiB: median(mem.map((m) => m.anon)),
      };
    }
    return out;
  } finally {
    for (const ps of Object.values(clusters)) await Promise.all(ps.map(end));
  }
}

interface CrowdResult {
  /** Launch of the first until the last printed "started". */
  lastStartedMs: number;
  /** CPU s used by all N up to then. */
  cpuSec: number;
}

/** `n` processes of each variant launched at once (one variant at a time); `rounds` each. */
async function crowds(sizes: readonly [number, number][]): Promise<Record<string, Record<string, CrowdResult[]>>> {
  const out: Record<string, Record<string, CrowdResult[]>> = {};
  for (const [n, rounds] of sizes) {
    const bySize: Record<string, CrowdResult[]> = (out[String(n)] = {});
    for (let r = 0; r < rounds; r++) {
      for (const v of VARIANTS.filter((x) => x.crowd)) {
        const ports: [number, number][] = [];
        for (let i = 0; i < n; i++) ports.push([await freePort(), await freePort()]);
        const t0 = process.hrtime.bigint();
        const ps = ports.map((pp) => launch(v.cmd(pp), v.started));
        try {
          await Promise.all(ps.map((p) => p.up));
          const lastStartedMs = Number(process.hrtime.bigint() - t0) / 1e6;
          const cpuSec = ps.reduce((sum, p) => sum + cpuMs(p.child.pid!), 0) / 1000;
          (bySize[v.name] ??= []).push({ lastStartedMs, cpuSec });
        } catch (e) {
          log(`  ${n} x ${v.name}: ${(e as Error).message}`);
        } finally {
          await Promise.all(ps.map(end));
        }
      }
      log(`crowd of ${n}, round ${r + 1}/${rounds} (load ${loadavg()[0]!.toFixed(2)})`);
    }
  }
  return out;
}

/** Busy time of one agent's start, until its first 100 ms of idleness, by what it was doing. */
async function profileStart(): Promise<{ busyMs: number; byPart: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-prof-'));
  try {
    const p = launch([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', BIN, ...ourAgent()], ourStarted);
    await p.up;
    await sleep(1000);
    // SIGINT: the agent leaves and exits, and the profile is written on the way out.
    const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGINT');
    await gone;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    return splitProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

const LOADER = [
  '(compileFunction)',
  '(parse)',
  '(openFileHandle)',
  '(read)',
  '(fstat)',
  '(close)',
  '(internalModuleStat)',
  '(lstat)',
  '(realpath)',
  '(readFileUtf8)',
  '(internalModuleReadJSON)',
];

/** Which part of a start a sample belongs to: its own function's file, with a few families merged. */
function partOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 and native code (compiling, ...)';
  const where = url || `(${functionName})`;
  if (where.startsWith('node:internal/modules') || where.startsWith('node:internal/deps/cjs-module-lexer') || LOADER.includes(where))
    return 'module loading (resolve, read, compile, link)';
  if (where.startsWith('node:internal/bootstrap') || where.startsWith('node:internal/process') || where.startsWith('node:internal/main'))
    return 'Node bootstrap';
  if (where.startsWith('node:')) return 'Node built-in modules (net, dgram, http, url, fs, ...)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(where);
  if (pkg) return `package ${pkg[1]}`;
  if (where.includes('/dist/')) return 'our code (dist/)';
  return where;
}

function splitProfile(p: CpuProfile): { busyMs: number; byPart: Record<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const byPart: Record<string, number> = {};
  let idleRun = 0;
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!)!;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    if (n.callFrame.functionName === '(idle)') {
      idleRun += dt;
      if (idleRun > 100) break;
      continue;
    }
    idleRun = 0;
    busy += dt;
    const part = partOf(n.callFrame.functionName, n.callFrame.url);
    byPart[part] = (byPart[part] ?? 0) + dt;
  }
  return { busyMs: busy, byPart };
}

async function main(): Promise<void> {
  log(
    `bench:startup: node ${process.version}, ${cpus().length} cores, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}${hasSerf ? '' : '; serf not installed (apt-get install serf), left out'}`,
  );
  const start = await startups();
  const settled = await settledMemory();
  const cmds = await commands();
  const idleRes = await idle();
  const crowd = await crowds([
    [8, Math.max(1, Math.round(RUNS / 3))],
    [64, 1],
  ]);
  const prof = await profileStart();

  const rows: string[] = [];
  const floor = median(start[VARIANTS[0]!.name]!.map((s) => s.wallMs));
  rows.push(
    'Start-up, launch to "started" (medians; min in brackets)',
    '',
    '| process | wall ms | × node floor | CPU ms | RSS MiB at "started" | RSS MiB 5 s later | of which own (anon) | PSS MiB |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const v of VARIANTS) {
    const s = start[v.name]!;
    const m = settled[v.name];
    const wall = median(s.map((x) => x.wallMs));
    rows.push(
      `| ${v.name} | ${f1(wall)} (${f1(minOf(s.map((x) => x.wallMs)))}) | ${(wall / floor).toFixed(2)} | ${f1(median(s.map((x) => x.cpuMs)))} (${f1(minOf(s.map((x) => x.cpuMs)))}) | ${f1(median(s.map((x) => x.rssMiB)))} | ${f1(m?.rss ?? Number.NaN)} | ${f1(m?.anon ?? Number.NaN)} | ${f1(m?.pss ?? Number.NaN)} |`,
    );
  }
  rows.push('', 'Commands, wall ms to exit (median, min)', '', '| command | median | min |', '|---|---|---|');
  for (const [name, xs] of Object.entries(cmds)) rows.push(`| ${name} | ${f1(median(xs))} | ${f1(minOf(xs))} |`);
  rows.push(
    '',
    `Idle clusters of ${CLUSTER}, ${IDLE_SEC} s, side by side`,
    '',
    '| system | CPU s/agent/min | RSS MiB | own (anon) MiB | PSS MiB |',
    '|---|---|---|---|---|',
  );
  for (const [s, r] of Object.entries(idleRes))
    rows.push(`| ${s} | ${r.cpuSecPerAgentPerMin.toFixed(3)} | ${f1(r.rssMiB)} | ${f1(r.anonMiB)} | ${f1(r.pssMiB)} |`);
  if (idleRes.serf) rows.push('', `idle CPU ours/serf: ${(idleRes.ours!.cpuSecPerAgentPerMin / idleRes.serf.cpuSecPerAgentPerMin).toFixed(2)}`);
  rows.push('', 'N launched at once, until the last printed "started" (medians over rounds)', '', '| N | process | ms | CPU s, all N |', '|---|---|---|---|');
  for (const [n, byVariant] of Object.entries(crowd)) {
    for (const [name, rs] of Object.entries(byVariant))
      rows.push(`| ${n} | ${name} | ${f1(median(rs.map((x) => x.lastStartedMs)))} | ${median(rs.map((x) => x.cpuSec)).toFixed(2)} |`);
  }
  rows.push('', `One agent's start under --cpu-prof: ${f1(prof.busyMs)} ms busy before it went idle`, '', '| part | ms |', '|---|---|');
  for (const [k, v] of Object.entries(prof.byPart)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12))
    rows.push(`| ${k} | ${f1(v)} |`);
  process.stdout.write(`${rows.join('\n')}\n`);

  const command = `node --import tsx bench/startup.ts ${argv.join(' ')}`.trim();
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results/startup.json');
  writeFileSync(
    file,
    `${JSON.stringify({ command, node: process.version, cores: cpus().length, serf: hasSerf ? spawnSync('serf', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0] : null, at: new Date().toISOString(), loadavg: loadavg(), start, settled, commands: cmds, idle: idleRes, crowd, profile: prof }, null, 2)}\n`,
  );
  log(`results: ${file}`);
}

main().catch((e: unknown) => {
  log(`bench:startup failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
