/**
 * Log-line parsers for the two systems under comparison. Each turns one line that an agent
 * printed into a normalised event, so the harness can time membership changes from the agents'
 * own output as it arrives (no polling of admin APIs, which would load the machine).
 */
import type { MemberStatus } from '../../src/member-status.js';

/** What a line said, in the words of docs/ARCHITECTURE.md "Words". */
export type LogEvent =
  /** The agent bound its sockets and is about to join (our "agent started", serf's "Starting Serf agent RPC"). */
  | { kind: 'started' }
  /** This agent's view of `member` changed to `status`. */
  | { kind: 'member'; member: string; status: MemberStatus; incarnation?: number }
  /** This agent's own failure detector suspects `member` (first suspicion, not one heard by gossip). */
  | { kind: 'suspect'; member: string };

/** Member states as both systems report them to their logs: our operator words (serf's are mapped below). */
export type { MemberStatus } from '../../src/member-status.js';

/** The systems compared; the name also picks the parser. */
export type System = 'ours' | 'serf';

const STATUSES: ReadonlySet<string> = new Set(['alive', 'suspect', 'failed', 'left']);

/**
 * Our agent's pino JSON line (docs/AGENT.md "Logs"): `member <status>` lines carry `member` and
 * `status`; "agent started" marks the bound socket. Anything else, or a line that is not JSON,
 * is `null`.
 */
export function parseOurs(line: string): LogEvent | null {
  if (line.length === 0 || line[0] !== '{') return null;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  if (r.msg === 'agent started') return { kind: 'started' };
  if (typeof r.member === 'string' && typeof r.status === 'string' && STATUSES.has(r.status)) {
    return { kind: 'member', member: r.member, status: r.status as MemberStatus, ...(typeof r.incarnation === 'number' ? { incarnation: r.incarnation } : {}) };
  }
  return null;
}

// serf prints `    2026/11/27 14:00:01 [INFO] serf: EventMemberJoin: s0 127.0.0.1`. The member name
// is the first word after the colon; serf forbids spaces in node names.
// A leave intent that arrives after the member was already marked failed is logged as
// `EventMemberLeave (forced): name`.
const SERF_EVENT = /\[INFO\] serf: EventMember(Join|Failed|Leave|Update|Reap)(?: \(forced\))?: (\S+)/;
// memberlist logs only the prober's own suspicion at INFO; suspicions learned by gossip are silent.
const SERF_SUSPECT = /\[INFO\] memberlist: Suspect (\S+) has failed/;
const SERF_STATUS: Readonly<Record<string, MemberStatus | null>> = { Join: 'alive', Update: 'alive', Failed: 'failed', Leave: 'left', Reap: null };

/**
 * A line of `serf agent` output (stdout, log level info). "==> Starting Serf agent RPC..." is
 * printed once memberlist is bound and before the join, the same point as our "agent started";
 * serf's own log lines are held back until the join ends (its gated writer), so they cannot mark
 * the start.
 */
export function parseSerf(line: string): LogEvent | null {
  if (line.includes('==> Starting Serf agent RPC')) return { kind: 'started' };
  const e = SERF_EVENT.exec(line);
  if (e) {
    const status = SERF_STATUS[e[1]!];
    return status ? { kind: 'member', member: e[2]!, status } : null;
  }
  const s = SERF_SUSPECT.exec(line);
  return s ? { kind: 'suspect', member: s[1]! } : null;
}

/** The parser for a system. */
export function parserFor(system: System): (line: string) => LogEvent | null {
  return system === 'ours' ? parseOurs : parseSerf;
}

/** One counter from serf's SIGUSR1 dump of its in-memory metrics (one 10 s interval). */
export interface SerfInterval {
  /** Start of the interval, ms since the epoch (serf prints whole seconds, UTC). */
  startMs: number;
  /** Sum of the counter over the interval. */
  sum: number;
  /** Number of samples (for a byte counter: packets or TCP writes). */
  count: number;
}

const SERF_COUNTER = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000 UTC\]\[C\] '([^']+)': Count: (\d+)(?:.*?) Sum: ([\d.]+)/;

/**
 * Parse one line of serf's metrics dump, e.g.
 * `[2026-11-27 14:00:00 +0000 UTC][C] 'serf-agent.memberlist.udp.sent': Count: 23 ... Sum: 2473.000 ...`.
 * Returns the metric name and its interval, or `null` for any other line.
 */
export function parseSerfCounter(line: string): { name: string; interval: SerfInterval } | null {
  const m = SERF_COUNTER.exec(line.trim());
  if (!m) return null;
  return { name: m[2]!, interval: { startMs: Date.parse(`${m[1]!.replace(' ', 'T')}Z`), sum: Number(m[4]), count: Number(m[3]) } };
}

/**
 * Serf keeps counters per 10 s interval, not as totals. Sum the intervals of `name` that lie
 * wholly inside [fromMs, toMs] and return the sum and the time they cover, so a rate can be taken
 * over whole intervals only.
 */
export function serfRate(
  lines: readonly string[],
  name: string,
  fromMs: number,
  toMs: number,
  intervalMs = 10_000,
): { sum: number; count: number; spanMs: number } {
  const seen = new Map<number, SerfInterval>();
  for (const l of lines) {
    const c = parseSerfCounter(l);
    // A later dump repeats an interval with a larger sum while it is open; keep the latest.
    if (c && c.name === name && c.interval.startMs >= fromMs && c.interval.startMs + intervalMs <= toMs) seen.set(c.interval.startMs, c.interval);
  }
  let sum = 0;
  let count = 0;
  for (const i of seen.values()) {
    sum += i.sum;
    count += i.count;
  }
  // An interval with no samples is not printed at all, so the span comes from the clock: the
  // intervals are aligned to multiples of intervalMs (go-metrics truncates the time).
  const first = Math.ceil(fromMs / intervalMs) * intervalMs;
  const last = Math.floor(toMs / intervalMs) * intervalMs;
  return { sum, count, spanMs: Math.max(0, last - first) };
}
