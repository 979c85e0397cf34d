/**
 * Derived protocol values as small pure functions (the formulas memberlist's code uses, with
 * log10, not the log(N+1) its comments mention). Each has a table test.
 */

/** Suspicion timeout (ms): mult × max(1, log10(max(n, 1))) × probeInterval. */
export function suspicionTimeoutMs(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const scale = Math.max(1, Math.log10(Math.max(n, 1)));
  return Math.floor(suspicionMult * scale * probeIntervalMs);
}

/**
 * Shortest suspicion that ends in a dead verdict with active confirmation (ms): mult ×
 * probeInterval, memberlist's own minimum in a small cluster. A live member stalled for less
 * than about this is never declared dead (4 s at lan).
 */
export function removalFloorMs(suspicionMult: number, probeIntervalMs: number): number {
  return Math.floor(suspicionMult * probeIntervalMs);
}

/** How many times one update is piggybacked: retransmitMult × ceil(log10(n + 1)). */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(Math.max(n, 0) + 1));
}

/**
 * Push-pull interval (ms), stretched above 32 members so full-state traffic per agent stays
 * bounded: × (ceil(log2(n) − 5) + 1), as memberlist does.
 */
export function pushPullIntervalMs(baseMs: number, n: number): number {
  const threshold = 32;
  if (n <= threshold) return baseMs;
  const mult = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1;
  return baseMs * mult;
}

/** Wait before join attempt `attempt` (0-based) is declared unanswered: doubles each time. */
export function joinAttemptTimeoutMs(joinTimeoutMs: number, attempt: number): number {
  return joinTimeoutMs * 2 ** Math.min(attempt, 10);
}

/**
 * Lifeguard's dynamic suspicion timeout (ms) after `confirmations` independent accusers beyond
 * the first: starts at max and falls logarithmically to min once `expected` confirmations are in.
 */
export function dynamicSuspicionTimeoutMs(confirmations: number, expected: number, minMs: number, maxMs: number): number {
  if (expected <= 0) return minMs;
  const f = Math.log(confirmations + 1) / Math.log(expected + 1);
  return Math.max(minMs, Math.floor(maxMs - f * (maxMs - minMs)));
}

/** Confirmations a suspicion waits for before it runs at its minimum: suspicionMult − 2, 0 in tiny clusters. */
export function expectedConfirmations(suspicionMult: number, n: number): number {
  const k = Math.max(0, Math.floor(suspicionMult) - 2);
  return n - 2 < k ? 0 : k;
}
