/**
 * The measures of docs/ARCHITECTURE.md, taken from inside the simulation as events happen: join
 * convergence, detection (first suspect, first dead, all dead), false positives, load and
 * agreement. Times are virtual ms.
 */
import type { MemberEvent } from '../core/types.js';

export interface Detection {
  /** The killed agent's name. */
  node: string;
  killedAtMs: number;
  /** From the kill until the first live agent marked it suspect / dead, and until all did. */
  firstSuspectMs: number | null;
  firstDeadMs: number | null;
  allDeadMs: number | null;
}

export interface FalsePositive {
  atMs: number;
  observer: string;
  subject: string;
}

/** What a simulation run reports (times in virtual ms). */
export interface Report {
  nodes: number;
  seed: number;
  profile: string;
  durationMs: number;
  /** From the last agent's start until every live agent lists every live agent alive; null if never. */
  joinConvergenceMs: number | null;
  detection: Detection[];
  /** Live agents that some other live agent marked dead. */
  falsePositives: number;
  falsePositiveEvents: FalsePositive[];
  /** Steady state: from convergence (or the start) to the end of the run. */
  msgsPerNodePerSec: number;
  bytesPerNodePerSec: number;
  packetsPerNodePerSec: number;
  /**
   * Every live agent holds the same membership: the same digest of its `name:state:incarnation`
   * rows (the table's own order-independent 53-bit digest, which says what the checksum says
   * without sorting every table).
   */
  agreement: boolean;
  /** Distinct table digests among live agents. */
  distinctChecksums: number;
  liveAgents: number;
  /** Drops by reason, summed over the running agents' observers (the core's, the codec's, the guard's). */
  drops: Record<string, number>;
  /** Protocol counters summed over the running agents' observers (the ones /metrics shows per agent). */
  counters: { probesFailed: number; suspicionsStarted: number; suspicionsExpired: number; refutations: number };
  traceHash: string;
  wallMs: number;
  heapMB: number;
}

export class DetectionTracker {
  readonly detections = new Map<string, Detection>();

  killed(node: string, at: number): void {
    this.detections.set(node, { node, killedAtMs: at, firstSuspectMs: null, firstDeadMs: null, allDeadMs: null });
  }

  /** A live agent changed its view of `event.member`. `allDead` is asked only when needed. */
  observe(event: MemberEvent, now: number, allDead: () => boolean): void {
    const d = this.detections.get(event.member.name);
    if (!d) return;
    const since = now - d.killedAtMs;
    if (event.type === 'suspect' && d.firstSuspectMs === null) d.firstSuspectMs = since;
    if (event.type === 'failed') {
      if (d.firstSuspectMs === null) d.firstSuspectMs = since;
      if (d.firstDeadMs === null) d.firstDeadMs = since;
    }
    if ((event.type === 'failed' || event.type === 'left') && d.allDeadMs === null && allDead()) d.allDeadMs = since;
  }

  /** A restarted agent is no longer a victim to time. */
  forget(node: string): void {
    const d = this.detections.get(node);
    if (d && d.allDeadMs === null) this.detections.delete(node);
  }
}
