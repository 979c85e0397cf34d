/**
 * When an embedded Cluster counts as healthy (`cluster.health()`, and `GET /v1/health` of the
 * admin API it serves, in whichever thread): the agent's own health first, then the policy.
 * Pure, so the main thread and an agent worker answer alike.
 */
import type { AgentHealth } from './agent/health.js';
import { ClusterError } from './errors.js';
import type { Member } from './core/types.js';

/** When the cluster counts as healthy, from this agent's point of view. */
export interface HealthPolicy {
  /** Least share of known non-left members that must be alive (0..1). Default 0.5. */
  readonly minAliveShare: number;
  /** Highest Lifeguard awareness score we accept in ourselves. Default 4 (of 0..7). */
  readonly maxAwareness: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = Object.freeze({ minAliveShare: 0.5, maxAwareness: 4 });

/** Defaults filled in; ERR_CONFIG naming the field. */
export function resolveHealthPolicy(input: Partial<HealthPolicy> = {}): HealthPolicy {
  const p = { ...DEFAULT_HEALTH_POLICY, ...input };
  if (!(typeof p.minAliveShare === 'number' && p.minAliveShare >= 0 && p.minAliveShare <= 1))
    throw new ClusterError('ERR_CONFIG', `health.minAliveShare (${String(p.minAliveShare)}) must be in [0, 1]`);
  if (!(typeof p.maxAwareness === 'number' && Number.isInteger(p.maxAwareness) && p.maxAwareness >= 0))
    throw new ClusterError('ERR_CONFIG', `health.maxAwareness (${String(p.maxAwareness)}) must be an integer >= 0`);
  return Object.freeze(p);
}

/** The agent's health, then enough of the cluster alive, then ourselves not the slow one. */
export function clusterHealth(agent: AgentHealth, members: readonly Member[], awareness: number, policy: HealthPolicy): AgentHealth {
  if (!agent.ok) return agent;
  let known = 0;
  let alive = 0;
  for (const m of members) {
    if (m.state === 'left') continue;
    known++;
    if (m.state === 'alive') alive++;
  }
  const share = known === 0 ? 0 : alive / known;
  if (share < policy.minAliveShare)
    return { ok: false, reason: `only ${alive} of ${known} members alive (${Math.round(share * 100)}% < ${Math.round(policy.minAliveShare * 100)}%)` };
  if (awareness > policy.maxAwareness)
    return { ok: false, reason: `our own awareness score is ${awareness} (> ${policy.maxAwareness}): this agent is slow or losing packets` };
  return { ok: true };
}
