/**
 * What "healthy" means for one agent (`GET /v1/health`, `phantom agent`'s health, and an
 * embedded Cluster's view of its agent, which may run in a worker thread): a pure function of
 * the agent's state and its member table, so every place answers alike.
 */
import { isLive, type Member } from '../core/types.js';

/** Health for /v1/health: ok, or the reason it is not. */
export type AgentHealth = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Lifecycle of an agent. */
export type AgentState = 'running' | 'leaving' | 'left' | 'stopped';

/** Unhealthy while not running, or when none of the other known members is alive or suspect. */
export function agentHealth(state: AgentState, self: string, members: readonly Member[]): AgentHealth {
  if (state !== 'running') return { ok: false, reason: `the agent is ${state}` };
  // Members that left on purpose do not count: a last agent standing is not unhealthy.
  let others = 0;
  let live = 0;
  for (const m of members) {
    if (m.name === self || m.state === 'left') continue;
    others++;
    if (isLive(m.state)) live++;
  }
  if (others > 0 && live === 0) return { ok: false, reason: `isolated: none of the ${others} other known members is alive` };
  return { ok: true };
}
