/**
 * Medians, ours/serf ratios and the markdown table of bench/SERF.md, from the runs that
 * bench/peers/serf.ts collected. Pure: no I/O.
 */
import type { System } from './logs.js';
import { median } from './measure.js';
import type { LaunchResult, LaunchRun, LossRun, MatrixResult, MatrixRun, StallRun } from './results.js';

/** Everything serf.ts collects, as written to bench/results/serf.json. */
export interface Collected {
  matrix: Record<string, Record<System, MatrixRun[]>>;
  loss: Partial<Record<System, LossRun[]>>;
  /** Runs that started all agents at once (absent in results from before they existed). */
  launch?: Record<string, Record<System, LaunchRun[]>>;
  /** SIGSTOP runs (`--stalls`), issue 18. */
  stall?: Partial<Record<System, StallRun[]>>;
}

/** Rows of the launch table; the join target depends on N (issue 13: ≤ 1.0 at 8, ≤ 2.0 at 64). */
export const LAUNCH_MEASURES: readonly { key: keyof LaunchResult; label: string }[] = [
  { key: 'joinFromLaunchMs', label: 'join convergence from launch ms' },
  { key: 'joinFromLastStartMs', label: 'join convergence from the last "started" ms (the matrix measure)' },
  { key: 'startedMedianMs', label: 'launch to "started", median agent ms' },
  { key: 'startedMaxMs', label: 'launch to "started", slowest agent ms' },
  { key: 'cpuSecPerAgentToConverge', label: 'CPU s/agent, launch to convergence' },
  { key: 'rssMiBPerAgent', label: 'RSS MiB/agent at convergence' },
];

/** The ratio a launch's join time must stay under at size n, if the issue set one. */
export function launchTarget(n: number): number | undefined {
  return n <= 8 ? 1.0 : n >= 64 ? 2.0 : undefined;
}

/** Tables for the launch runs: measure | ours | serf | ours/serf | target. */
export function launchMarkdown(launch: NonNullable<Collected['launch']>): string {
  const out: string[] = [];
  for (const [n, bySys] of Object.entries(launch)) {
    const med = (runs: readonly LaunchRun[], k: keyof LaunchResult): number => median(runs.map((r) => r.result[k]));
    out.push(
      `### All ${n} agents launched at once (ours: ${bySys.ours.length} run${bySys.ours.length === 1 ? '' : 's'}, serf: ${bySys.serf.length} run${bySys.serf.length === 1 ? '' : 's'}; medians)`,
      '',
    );
    out.push('| measure | ours | serf | ours/serf | target |', '|---|---|---|---|---|');
    for (const m of LAUNCH_MEASURES) {
      const a = med(bySys.ours, m.key);
      const b = med(bySys.serf, m.key);
      const r = ratio(a, b);
      const t = m.key === 'joinFromLaunchMs' ? launchTarget(Number(n)) : undefined;
      const verdict = t === undefined ? '' : r === '—' ? `≤ ${t.toFixed(1)}: no data` : `≤ ${t.toFixed(1)}: ${Number(r) <= t ? 'met' : '**missed**'}`;
      out.push(`| ${m.label} | ${num(a)} | ${num(b)} | ${r} | ${verdict} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Row labels and the direction in which a number is better, per measure. */
export const MEASURES: readonly { key: keyof MatrixResult; label: string; target?: string; sum?: boolean }[] = [
  { key: 'joinConvergenceMs', label: 'join convergence ms', target: '≤ 1.0' },
  { key: 'firstSuspectMs', label: 'first suspect ms' },
  { key: 'firstFailedMs', label: 'first dead ms' },
  { key: 'allFailedMs', label: 'all dead ms', target: '≤ 1.0' },
  { key: 'allSuspectMs', label: 'routed around everywhere ms (ours: all survivors hold it suspect; serf logs no such line)' },
  { key: 'leaveMs', label: 'leave ms' },
  // Rare events: a median of 0 would hide them, so this row is the total over the runs.
  { key: 'leaveSeenFailed', label: 'agents that took the leave for a failure first (total over runs)', sum: true },
  { key: 'rssMiBPerAgent', label: 'RSS MiB/agent' },
  { key: 'cpuSecPerAgentPerIdleMin', label: 'CPU s/agent/idle min' },
  { key: 'bytesOutPerAgentPerSec', label: 'bytes out/agent/s (own counters)', target: '≤ 1.0' },
  { key: 'wireBytesPerAgentPerSec', label: 'wire bytes/agent/s (nftables, with headers)' },
  { key: 'wirePacketsPerAgentPerSec', label: 'packets/agent/s (nftables)' },
];

/** Median of one measure over runs; NaN when no run has it. */
export function medianOf(runs: readonly MatrixRun[], key: keyof MatrixResult): number {
  return median(runs.map((r) => r.result[key]).filter((v): v is number => typeof v === 'number'));
}

/** Total of one measure over runs. */
export function sumOf(runs: readonly MatrixRun[], key: keyof MatrixResult): number {
  return runs.reduce((s, r) => s + (typeof r.result[key] === 'number' ? (r.result[key] as number) : 0), 0);
}

const num = (x: number): string => (!Number.isFinite(x) ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : '—');

/**
 * One table per size: measure | ours | serf | ours/serf | target. A target is "met" when the
 * ratio is at most 1.0. Runs counts are in the header so partial medians are visible.
 */
export function markdown(c: Collected): string {
  const out: string[] = c.launch && Object.keys(c.launch).length > 0 ? [launchMarkdown(c.launch)] : [];
  for (const [n, bySys] of Object.entries(c.matrix)) {
    const ours = bySys.ours;
    const serf = bySys.serf;
    out.push(`### N = ${n} (ours: ${ours.length} run${ours.length === 1 ? '' : 's'}, serf: ${serf.length} run${serf.length === 1 ? '' : 's'}; medians)`, '');
    out.push('| measure | ours | serf | ours/serf | target |', '|---|---|---|---|---|');
    for (const m of MEASURES) {
      const a = m.sum ? sumOf(ours, m.key) : medianOf(ours, m.key);
      const b = m.sum ? sumOf(serf, m.key) : medianOf(serf, m.key);
      const r = ratio(a, b);
      const verdict = m.target ? (r === '—' ? `${m.target}: no data` : `${m.target}: ${Number(r) <= 1 ? 'met' : '**missed**'}`) : '';
      out.push(`| ${m.label} | ${num(a)} | ${num(b)} | ${r} | ${verdict} |`);
    }
    out.push('');
  }
  const lo = c.loss.ours ?? [];
  const ls = c.loss.serf ?? [];
  if (lo.length > 0 || ls.length > 0) {
    const fp = (rs: readonly LossRun[]): number => median(rs.map((r) => r.falsePositives));
    const fl = (rs: readonly LossRun[]): number => median(rs.map((r) => r.failedLines));
    const first = lo[0] ?? ls[0]!;
    out.push(
      `### ${first.lossPercent}% loss, N = ${first.agents}, ${first.seconds} s (ours: ${lo.length} run${lo.length === 1 ? '' : 's'}, serf: ${ls.length} run${ls.length === 1 ? '' : 's'})`,
      '',
    );
    out.push('| measure | ours | serf | ours/serf | target |', '|---|---|---|---|---|');
    const a = fp(lo);
    const b = fp(ls);
    const r = b === 0 ? (a === 0 ? '1.00 (0 vs 0)' : '∞ (serf 0)') : ratio(a, b);
    const met = a <= b;
    out.push(`| false positives (live members marked dead) | ${num(a)} | ${num(b)} | ${r} | ≤ 1.0: ${met ? 'met' : '**missed**'} |`);
    out.push(`| failed lines about live members (observer × member) | ${num(fl(lo))} | ${num(fl(ls))} | ${ratio(fl(lo), fl(ls))} | |`);
    const su = (rs: readonly LossRun[]): number | null =>
      rs.some((r) => r.suspicions === undefined) || rs.length === 0 ? null : median(rs.map((r) => r.suspicions!));
    const sa = su(lo);
    const sb = su(ls);
    if (sa !== null && sb !== null)
      out.push(
        `| suspicions raised about live members (ours: distinct member × incarnation; serf: probers' "Suspect X has failed") | ${num(sa)} | ${num(sb)} | ${sb === 0 ? (sa === 0 ? '1.00 (0 vs 0)' : `∞ (serf 0)`) : ratio(sa, sb)} | ≤ 1.0: ${sa <= sb ? 'met' : '**missed**'} |`,
      );
    out.push('');
  }
  const so = c.stall?.ours ?? [];
  const ss = c.stall?.serf ?? [];
  if (so.length > 0 || ss.length > 0) {
    const cell = (runs: readonly StallRun[], ms: number): string => {
      const hits = runs.flatMap((r) => r.stalls.filter((x) => x.stallMs === ms));
      if (hits.length === 0) return '—';
      const failed = hits.reduce((a, x) => a + x.failedObservers, 0);
      const of = hits.reduce((a, x) => a + x.survivors, 0);
      const routed = hits.map((x) => x.allSuspectMs).filter((x): x is number => x !== null);
      return `${failed} of ${of} declared it failed${routed.length > 0 ? `; routed around everywhere after ${num(median(routed))} ms` : ''}`;
    };
    const stalls = [...new Set([...so, ...ss].flatMap((r) => r.stalls.map((x) => x.stallMs)))].sort((a, b) => a - b);
    out.push(
      `### SIGSTOP of one agent of ${(so[0] ?? ss[0]!).agents} (ours: ${so.length} run${so.length === 1 ? '' : 's'}, serf: ${ss.length} run${ss.length === 1 ? '' : 's'})`,
      '',
    );
    out.push('| stall | ours | serf |', '|---|---|---|');
    for (const ms of stalls) out.push(`| ${ms / 1000} s | ${cell(so, ms)} | ${cell(ss, ms)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** The run whose join convergence is the median one (for the chart), or undefined. */
export function medianRun(runs: readonly MatrixRun[]): MatrixRun | undefined {
  if (runs.length === 0) return undefined;
  const s = [...runs].sort((a, b) => a.result.joinConvergenceMs - b.result.joinConvergenceMs);
  return s[(s.length - 1) >> 1];
}
