/**
 * One agent of either system as a child process, followed through its own log lines. Every
 * parsed line is kept with the time it arrived, so times come from what the agent printed as
 * it printed it; waiting is on those lines, with a timeout, never by polling the agent.
 * Processes are ended by their own PID only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, waitUntil } from '../../harness/procs.js';
import { parserFor, type LogEvent, type MemberStatus, type System } from '../../harness/peers/logs.js';

/** A parsed log line and when the harness read it (ms since the epoch). */
export interface Timed {
  at: number;
  ev: LogEvent;
}

/** A running agent of `system`. */
export interface PeerProc {
  readonly system: System;
  readonly name: string;
  readonly pid: number;
  readonly gossipPort: number;
  readonly child: ChildProcess;
  /** Member name -> status, as this agent's log lines said. */
  readonly view: Map<string, MemberStatus>;
  /** Every parsed line, in arrival order. */
  readonly events: Timed[];
  /** Raw lines that look like serf's metrics dump (`[date][C] ...`); empty for ours. */
  readonly metricLines: string[];
  /** When the "started" line arrived. */
  startedAt: number;
  readonly exited: Promise<void>;
  /** Resolve when pred() holds over this agent's lines; reject after ms. */
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  /** The last lines it printed, for error messages. */
  tail(): string;
}

/** Gossip port of agent i; admin (ours) or RPC (serf) port is ADMIN_BASE + i. */
export const GOSSIP_BASE = 20_000;
/** See GOSSIP_BASE. Kept apart so nftables rules can tell gossip from admin traffic. */
export const ADMIN_BASE = 30_000;

/** How agents are started: one by one (waiting for each batch's "started"), or all at once. */
export interface StartOptions {
  /**
   * All agents launched at once: a seed may not be up when the others first try it. Ours
   * re-sends its join (joinTimeoutMs, 1 s on lan, doubling); serf's `-join` would exit on a refused
   * connection, so it gets `-retry-join` with the same 1 s.
   */
  readonly atOnce?: boolean;
}

/**
 * Command line of agent `i` named `name`, joining through agent 0 unless it is agent 0. Ours is
 * the compiled command (dist/bin/phantom.js) when `root` has one, as a user runs it; a tree from
 * before the build existed runs its sources through tsx.
 */
export function commandFor(system: System, name: string, i: number, root: string = ROOT, options: StartOptions = {}): string[] {
  const bind = `127.0.0.1:${GOSSIP_BASE + i}`;
  const admin = `127.0.0.1:${ADMIN_BASE + i}`;
  const seed = `127.0.0.1:${GOSSIP_BASE}`;
  if (system === 'serf') {
    const joining = i === 0 ? [] : options.atOnce ? [`-retry-join=${seed}`, '-retry-interval=1s'] : [`-join=${seed}`];
    return ['serf', 'agent', `-node=${name}`, `-bind=${bind}`, `-rpc-addr=${admin}`, '-profile=lan', '-log-level=info', ...joining];
  }
  const entry = existsSync(join(root, OUR_BIN)) ? [OUR_BIN] : ['--import', 'tsx', 'src/cli/main.ts'];
  return [
    process.execPath,
    ...entry,
    'agent',
    '--name',
    name,
    '--log-level',
    'info',
    '--bind',
    bind,
    '--admin',
    admin,
    '--profile',
    'lan',
    ...(i > 0 ? ['--join', seed] : []),
  ];
}

/** The compiled `phantom` command, relative to a tree's root. */
export const OUR_BIN = 'dist/bin/phantom.js';

/**
 * Start agent `i` and resolve once it printed its "started" line. `onPid` is told the PID at
 * once, so whoever started us can end the process even if we die before cleaning up. `root` is
 * the tree our agent runs from (a snapshot of a commit, so others' edits do not change a run).
 */
export async function startPeer(
  system: System,
  name: string,
  i: number,
  onPid: (pid: number) => void,
  root: string = ROOT,
  options: StartOptions = {},
): Promise<PeerProc> {
  const p = spawnPeer(system, name, i, onPid, root, options);
  await waitStarted(p);
  return p;
}

/** Resolve once `p` printed its "started" line; reject if it exits first or takes over a minute. */
export async function waitStarted(p: PeerProc): Promise<void> {
  await p.until(() => p.startedAt > 0 || p.child.exitCode !== null, 60_000, 'start-up');
  if (p.startedAt === 0) throw new Error(`${p.name} exited at start-up: ${p.tail()}`);
}

/** Launch agent `i` and return at once; its lines are recorded from the first one on. */
export function spawnPeer(system: System, name: string, i: number, onPid: (pid: number) => void, root: string = ROOT, options: StartOptions = {}): PeerProc {
  const cmd = commandFor(system, name, i, root, options);
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd[0]}`);
  onPid(child.pid);
  const parse = parserFor(system);
  const waiters = new Set<() => void>();
  let tail = '';
  const p: PeerProc = {
    system,
    name,
    pid: child.pid,
    gossipPort: GOSSIP_BASE + i,
    child,
    view: new Map(),
    events: [],
    metricLines: [],
    startedAt: 0,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
    until: (pred, ms, what) =>
      waitUntil(waiters, pred, ms, () => `${name}: ${what} not seen within ${ms} ms; view ${JSON.stringify([...p.view])}; output tail: ${tail.slice(-400)}`),
    tail: () => tail.slice(-400),
  };
  const onLine = (line: string): void => {
    const at = Date.now();
    tail = `${tail + line}\n`.slice(-2000);
    if (system === 'serf' && line.startsWith('[')) p.metricLines.push(line);
    const ev = parse(line);
    if (!ev) return;
    p.events.push({ at, ev });
    if (ev.kind === 'started') p.startedAt = at;
    if (ev.kind === 'member') p.view.set(ev.member, ev.status);
    for (const w of [...waiters]) w();
  };
  // serf writes its log and its UI lines to stdout and errors to stderr; ours logs to stdout.
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  void p.exited.then(() => {
    for (const w of [...waiters]) w();
  });
  return p;
}

/** Every agent in `observers` sees every name in `names` (other than itself) with `status`. */
export async function allSee(observers: readonly PeerProc[], names: readonly string[], status: MemberStatus, ms: number): Promise<void> {
  await Promise.all(
    observers.map((o) =>
      o.until(
        () => names.every((n) => n === o.name || o.view.get(n) === status),
        ms,
        `${names.length > 3 ? `${names.length} members` : names.join(',')} ${status}`,
      ),
    ),
  );
}

/** Stop an agent we started, by its PID, and wait for it (SIGKILL after a bound). */
export async function stopPeer(p: PeerProc, signal: NodeJS.Signals = 'SIGKILL', boundMs = 8000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const guard = setTimeout(() => p.child.kill('SIGKILL'), boundMs);
  await p.exited;
  clearTimeout(guard);
}

/** utime + stime of a process in seconds (clock ticks of 1/100 s, USER_HZ). */
export function procCpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Resident set size of a process in MiB. */
export function procRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}
