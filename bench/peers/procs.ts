/**
 * One agent of either system as a child process, followed through its own log lines. Every
 * parsed line is kept with the time it arrived, so times come from what the agent printed as
 * it printed it; waiting is on those lines, with a timeout, never by polling the agent.
 * Processes are ended by their own PID only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ROOT, waitUntil } from '../../test/cli/procs.js';
import { parserFor, type LogEvent, type MemberStatus, type System } from './logs.js';

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
}

/** Gossip port of agent i; admin (ours) or RPC (serf) port is ADMIN_BASE + i. */
export const GOSSIP_BASE = 20_000;
/** See GOSSIP_BASE. Kept apart so nftables rules can tell gossip from admin traffic. */
export const ADMIN_BASE = 30_000;

/** Command line of agent `i` named `name`, joining through agent 0 unless it is agent 0. */
export function commandFor(system: System, name: string, i: number): string[] {
  const bind = `127.0.0.1:${GOSSIP_BASE + i}`;
  const admin = `127.0.0.1:${ADMIN_BASE + i}`;
  const seed = `127.0.0.1:${GOSSIP_BASE}`;
  if (system === 'serf') {
    return ['serf', 'agent', `-node=${name}`, `-bind=${bind}`, `-rpc-addr=${admin}`, '-profile=lan', '-log-level=info', ...(i > 0 ? [`-join=${seed}`] : [])];
  }
  return [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'agent', '--name', name, '--log-level', 'info', '--bind', bind, '--admin', admin, '--profile', 'lan', ...(i > 0 ? ['--join', seed] : [])];
}

/**
 * Start agent `i` and resolve once it printed its "started" line. `onPid` is told the PID at
 * once, so whoever started us can end the process even if we die before cleaning up. `root` is
 * the tree our agent runs from (a snapshot of a commit, so others' edits do not change a run).
 */
export async function startPeer(system: System, name: string, i: number, onPid: (pid: number) => void, root: string = ROOT): Promise<PeerProc> {
  const cmd = commandFor(system, name, i);
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
    until: (pred, ms, what) => waitUntil(waiters, pred, ms, () => `${name}: ${what} not seen within ${ms} ms; view ${JSON.stringify([...p.view])}; output tail: ${tail.slice(-400)}`),
  };
  const onLine = (line: string): void => {
    const at = Date.now();
    tail = (tail + line + '\n').slice(-2000);
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
  await p.until(() => p.startedAt > 0 || child.exitCode !== null, 60_000, 'start-up');
  if (p.startedAt === 0) throw new Error(`${name} exited at start-up: ${tail.slice(-400)}`);
  return p;
}

/** Every agent in `observers` sees every name in `names` (other than itself) with `status`. */
export async function allSee(observers: readonly PeerProc[], names: readonly string[], status: MemberStatus, ms: number): Promise<void> {
  await Promise.all(observers.map((o) => o.until(() => names.every((n) => n === o.name || o.view.get(n) === status), ms, `${names.length > 3 ? `${names.length} members` : names.join(',')} ${status}`)));
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
