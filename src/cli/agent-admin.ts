/**
 * `phantom agent`'s admin functions: the shared wiring of src/admin/agent-deps.ts, with the
 * leave the CLI supplies (it also stops the process).
 */
import type { Agent } from '../agent/agent.js';
import { adminDepsFor as wire } from '../admin/agent-deps.js';
import type { AdminDeps } from '../admin/server.js';

/** The admin functions for `agent`; `leave` is supplied by the caller (it also stops the process). */
export function adminDepsFor(agent: Agent, leave: () => Promise<void>, info?: () => Record<string, unknown>): AdminDeps {
  return wire(agent, { leave, ...(info ? { info } : {}) });
}
