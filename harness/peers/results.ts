/**
 * The shapes of the side-by-side runs' results (bench/peers/run.ts produces them, report.ts
 * turns them into the markdown of bench/SERF.md).
 */

/** Numbers from one matrix run (times in ms). */
export interface MatrixResult {
  joinConvergenceMs: number;
  firstSuspectMs: number;
  firstFailedMs: number;
  allFailedMs: number;
  /**
   * When every survivor held the victim suspect or failed, i.e. a balancer on any of them routes
   * around it (ours only: serf logs only the prober's own suspicion).
   */
  allSuspectMs?: number;
  leaveMs: number;
  /** Agents that marked the leaver failed before (or instead of) left: a leave taken for a failure. */
  leaveSeenFailed: number;
  rssMiBPerAgent: number;
  cpuSecPerAgentPerIdleMin: number;
  /** UDP+TCP payload sent per agent per second, as the system itself counts it. */
  bytesOutPerAgentPerSec: number;
  /** Same, counted by nftables on the namespace's output, IP/UDP/TCP headers included (gossip ports only). */
  wireBytesPerAgentPerSec: number | null;
  /** Packets per agent per second counted by nftables (gossip ports). */
  wirePacketsPerAgentPerSec: number | null;
}

/** One matrix run with its convergence curves (ms after the event, one entry per agent that knew). */
export interface MatrixRun {
  result: MatrixResult;
  /** The commit our agent ran from (set by serf.ts; serf's runs carry it too, as the pairing). */
  commit?: string;
  curves: { join: number[]; failed: number[]; left: number[] };
  /** Per agent, when it first saw every agent alive (ms after the last start): who was late. */
  joinByAgent?: Record<string, number | null>;
  agents: number;
  loadavg: number[];
}

/** One launch run: N agents started at once (times in ms from the launch of the first process). */
export interface LaunchRun {
  agents: number;
  /** As MatrixRun.commit. */
  commit?: string;
  result: LaunchResult;
  /** Per agent, when its view first held every agent alive (ms after the launch). */
  curve: number[];
  loadavg: number[];
}

export interface LaunchResult {
  /** Launch of the first process until every agent lists every agent alive: what a user waits. */
  joinFromLaunchMs: number;
  /** The same end, from the last "started" line (the matrix runs' measure, for comparison). */
  joinFromLastStartMs: number;
  /** Launch until an agent's "started" line: median and slowest agent. */
  startedMedianMs: number;
  startedMaxMs: number;
  /** CPU used per agent from its launch until convergence (s, mean). */
  cpuSecPerAgentToConverge: number;
  /** Median agent's RSS at convergence. */
  rssMiBPerAgent: number;
}

/** One loss run. */
export interface LossRun {
  agents: number;
  /** As MatrixRun.commit. */
  commit?: string;
  lossPercent: number;
  seconds: number;
  /** Live members marked failed by at least one other live agent. */
  falsePositives: number;
  falsePositiveMembers: string[];
  /** (observer, member) failed lines about live members. */
  failedLines: number;
  /** Suspicions logged: ours logs every suspect state change, serf only the prober's own; not comparable. */
  suspectLines: number;
  loadavg: number[];
}

/** One stall of the victim: who declared it failed, and (ours) when every survivor routed around it. */
export interface StallResult {
  stallMs: number;
  /** Survivors that logged the stalled agent failed within the watch window. */
  failedObservers: number;
  survivors: number;
  /** Survivors that logged it suspect (ours: each; serf: only probers log their own suspicion). */
  suspectObservers: number;
  /** Ours: from the SIGSTOP until every survivor held it suspect or failed (null if not all did). */
  allSuspectMs: number | null;
}

export interface StallRun {
  agents: number;
  commit?: string;
  stalls: StallResult[];
  loadavg: number[];
}
