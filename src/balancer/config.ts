/**
 * Balancer configuration: every field with its unit, default and trade-off. Validation names
 * every bad field at once and throws `ClusterError('ERR_CONFIG')`, because a bad value here is
 * misuse by the caller, never remote input.
 */
import { ClusterError } from '../errors.js';

/** The algorithms a balancer can switch between at run time. */
export type Algorithm = 'round-robin' | 'random' | 'least-connections' | 'weighted' | 'p2c' | 'affinity';

/** Every algorithm name, in a fixed order (benchmarks and validation iterate it). */
export const ALGORITHMS: readonly Algorithm[] = ['round-robin', 'random', 'least-connections', 'weighted', 'p2c', 'affinity'];

export interface BalancerConfig {
  /** Algorithm used by `pick` until `setAlgorithm` changes it. p2c is the best default for
   * backends whose speed differs or changes; round-robin is the most predictable. */
  algorithm: Algorithm;
  /** Time constant of the peak-EWMA latency used by p2c, in ms. Larger = steadier but slower to
   * forgive a member that was slow; an idle member's estimate decays toward 0 with it, so a
   * member avoided for ~decayMs gets tried again. Finagle and Linkerd use 10 s. */
  decayMs: number;
  /** Latency assumed for a member that has answered nothing yet, in ms. Keeps p2c from flooding
   * a newcomer (a cost of 0 would win every comparison). About a typical request's latency. */
  initialLatencyMs: number;
  /** Weight of the newest sample in the plain latency EWMA reported by `stats` (0 < alpha <= 1).
   * Only for reporting: p2c uses the time-decayed peak EWMA instead. */
  latencyAlpha: number;
  /** Consecutive failed leases that eject a member. 0 disables outlier ejection. */
  ejectAfterErrors: number;
  /** First ejection period, in ms; each ejection soon after a return doubles it. */
  baseEjectionMs: number;
  /** Longest ejection period, in ms: the backoff never grows past it. */
  maxEjectionMs: number;
  /** Most members that may be ejected at once, in percent of the pickable ones (rounded down),
   * so that a shared fault (a bad deploy of the client, a network blip) cannot eject everyone. */
  maxEjectionPercent: number;
  /** How many of the key's owners key affinity asks for: the owner first, then its replicas in order. */
  replicas: number;
  /** Tag read for a member's weight (a decimal number > 0); missing or bad values give 1. */
  weightTag: string;
  /** Tag a member uses to say it should not get requests: any value other than `ok` (e.g.
   * `busy`, set by an embedded Cluster whose host thread is blocked, or `draining`, set by hand)
   * keeps it out of every pick, as `setHealth(name, false)` does, while it stays a member and a
   * key owner. Missing or `ok` = pickable. */
  healthTag: string;
}

/** Defaults: Envoy's outlier ejection (5 errors, 30 s base, 300 s max), Finagle's 10 s decay. */
export const defaultBalancerConfig: Readonly<BalancerConfig> = Object.freeze({
  algorithm: 'p2c',
  decayMs: 10_000,
  initialLatencyMs: 30,
  latencyAlpha: 0.2,
  ejectAfterErrors: 5,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  maxEjectionPercent: 50,
  replicas: 3,
  weightTag: 'weight',
  healthTag: 'health',
});

function isPositive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** Merge `init` over the defaults and validate; throws naming every bad field. */
export function resolveBalancerConfig(init: Partial<BalancerConfig> = {}): BalancerConfig {
  const c: BalancerConfig = { ...defaultBalancerConfig, ...init };
  const bad: string[] = [];
  const known = new Set<string>(Object.keys(defaultBalancerConfig));
  for (const k of Object.keys(init)) {
    if (!known.has(k)) bad.push(`${k} is not a balancer option`);
  }
  if (!ALGORITHMS.includes(c.algorithm)) {
    bad.push(`algorithm (${String(c.algorithm)}) must be one of ${ALGORITHMS.join(', ')}`);
  }
  if (!isPositive(c.decayMs)) bad.push(`decayMs (${String(c.decayMs)}) must be a number > 0`);
  if (!isPositive(c.initialLatencyMs)) {
    bad.push(`initialLatencyMs (${String(c.initialLatencyMs)}) must be a number > 0`);
  }
  if (!isPositive(c.latencyAlpha) || c.latencyAlpha > 1) {
    bad.push(`latencyAlpha (${String(c.latencyAlpha)}) must be in (0, 1]`);
  }
  if (!isNonNegativeInt(c.ejectAfterErrors)) {
    bad.push(`ejectAfterErrors (${String(c.ejectAfterErrors)}) must be an integer >= 0`);
  }
  if (!isPositive(c.baseEjectionMs)) {
    bad.push(`baseEjectionMs (${String(c.baseEjectionMs)}) must be a number > 0`);
  }
  if (!isPositive(c.maxEjectionMs)) {
    bad.push(`maxEjectionMs (${String(c.maxEjectionMs)}) must be a number > 0`);
  } else if (isPositive(c.baseEjectionMs) && c.maxEjectionMs < c.baseEjectionMs) {
    bad.push(`maxEjectionMs (${c.maxEjectionMs}) must be >= baseEjectionMs (${c.baseEjectionMs})`);
  }
  if (typeof c.maxEjectionPercent !== 'number' || !(c.maxEjectionPercent >= 0 && c.maxEjectionPercent <= 100)) {
    bad.push(`maxEjectionPercent (${String(c.maxEjectionPercent)}) must be in [0, 100]`);
  }
  if (!isNonNegativeInt(c.replicas) || c.replicas < 1) {
    bad.push(`replicas (${String(c.replicas)}) must be an integer >= 1`);
  }
  if (typeof c.weightTag !== 'string' || c.weightTag.length === 0) {
    bad.push(`weightTag (${String(c.weightTag)}) must be a non-empty string`);
  }
  if (typeof c.healthTag !== 'string' || c.healthTag.length === 0) {
    bad.push(`healthTag (${String(c.healthTag)}) must be a non-empty string`);
  }
  if (bad.length > 0) throw new ClusterError('ERR_CONFIG', `invalid balancer config: ${bad.join('; ')}`);
  return c;
}
