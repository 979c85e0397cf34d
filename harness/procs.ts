/**
 * Agents as real processes started through the CLI, followed through their JSON log lines (the
 * documented log contract: one info line per membership change with member/status/incarnation).
 * Waiting is on those lines, with a timeout: no sleeps. Processes are ended by their own PID.
 *
 * The CLI run is the compiled one a user runs (dist/bin/phantom.js, built by `npm ci` and again
 * by `npm test`), not the sources through tsx.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The `phantom` command as installed: the bundle `npm run build` writes. */
export const PHANTOM_BIN = join(ROOT, 'dist/bin/phantom.js');

let checked = false;

/** Fail with what to do when dist/ is missing or older than a source file (a stale build would test old code). */
export function assertBuilt(): void {
  if (checked) return;
  let built: number;
  try {
    built = statSync(PHANTOM_BIN).mtimeMs;
  } catch {
    throw new Error(`${PHANTOM_BIN} is missing: run \`npm run build\` (npm ci and npm test do it)`);
  }
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (newest(join(ROOT, 'src')) > built) throw new Error('dist/ is older than src/: run `npm run build` (npm test does it first)');
  checked = true;
}

/**
 * Agents publish their admin token under PHANTOM_RUNTIME_DIR for the commands to find: one
 * private dir per test process, so tests leave nothing in the home directory.
 */
export const RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'phantom-run-'));
process.once('exit', () => rmSync(RUNTIME_DIR, { recursive: true, force: true }));
const ENV = { ...process.env, PHANTOM_RUNTIME_DIR: RUNTIME_DIR };

/** Fast protocol settings for tests (local profile, ~1 s failure detection). */
/**
 * Resolve once `pred()` holds, checking now and each time a waiter in `waiters` is called (the
 * caller calls them on every new output line); reject with `failure()` after `ms`.
 */
export function waitUntil(waiters: Set<() => void>, pred: () => boolean, ms: number, failure: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const check = (): void => {
      if (!pred()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(failure()));
    }, ms);
    waiters.add(check);
  });
}

export const FAST_SET = [
  'probeIntervalMs=200',
  'probeTimeoutMs=80',
  'suspicionMult=2',
  'gossipIntervalMs=50',
  'pushPullIntervalMs=2000',
  'joinTimeoutMs=200',
  'joinAttempts=4',
  'reconnectIntervalMs=1000',
  'leaveTimeoutMs=500',
  'readmitAfterMs=2000',
];

/** Arguments of a test agent on loopback with ephemeral ports, the local profile and FAST_SET, then `extra`. */
export function agentArgs(extra: readonly string[] = []): string[] {
  return ['--bind', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--profile', 'local', ...FAST_SET.flatMap((s) => ['--set', s]), ...extra];
}

export interface AgentProc {
  readonly name: string;
  readonly child: ChildProcess;
  /** Member name -> status, as this agent's log lines said. */
  readonly view: Map<string, string>;
  address: string;
  admin: string;
  exited: Promise<number | null>;
  /** Resolve when pred() holds over this agent's log lines; reject after ms. */
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  lines: Record<string, unknown>[];
}

/** Run `phantom <args>` in this process's cwd and return its output and exit code. */
export function phantom(args: readonly string[], prefix: readonly string[] = [], timeoutMs = 20_000): { code: number | null; stdout: string; stderr: string } {
  assertBuilt();
  const cmd = [...prefix, process.execPath, PHANTOM_BIN, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start `phantom agent` with JSON logs; resolves once it logged its address (and admin address). */
export async function startAgent(name: string, args: readonly string[], prefix: readonly string[] = []): Promise<AgentProc> {
  assertBuilt();
  const cmd = [...prefix, process.execPath, PHANTOM_BIN, 'agent', '--name', name, '--log-level', 'info', ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  const p: AgentProc = {
    name,
    child,
    view: new Map(),
    address: '',
    admin: '',
    lines: [],
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    until: (pred, ms, what) =>
      waitUntil(waiters, pred, ms, () => `${name}: ${what} not seen within ${ms} ms; its view: ${JSON.stringify([...p.view])}; stderr: ${stderr.slice(-500)}`),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    p.lines.push(o);
    if (o.msg === 'agent started') p.address = String(o.address);
    if (o.msg === 'admin API listening') p.admin = String(o.admin);
    if (typeof o.member === 'string' && typeof o.status === 'string') p.view.set(o.member, o.status);
    for (const w of [...waiters]) w();
  });
  void p.exited.then(() => {
    for (const w of [...waiters]) w();
  });
  const adminWanted = !args.includes('off');
  await p.until(() => p.address !== '' && (!adminWanted || p.admin !== ''), 15_000, 'start-up');
  return p;
}

/** Every agent in `observers` sees every name in `names` with `status`. */
export async function allSee(observers: readonly AgentProc[], names: readonly string[], status: string, ms: number): Promise<void> {
  await Promise.all(observers.map((o) => o.until(() => names.every((n) => n === o.name || o.view.get(n) === status), ms, `${names.join(',')} ${status}`)));
}

/** Stop an agent we started, by its PID, and wait for it (SIGKILL after a bound). */
export async function stop(p: AgentProc, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill(signal);
  const guard = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  const code = await p.exited;
  clearTimeout(guard);
  return code;
}
