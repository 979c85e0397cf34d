/**
 * The settings of an embedded Cluster beyond the agent's own, checked before anything starts:
 * one ERR_CONFIG naming every bad field, the agent's fields included.
 *
 * | field       | default | meaning                                                                 |
 * |-------------|---------|-------------------------------------------------------------------------|
 * | isolate     | 'worker' | the agent runs in a worker thread; 'none': on the host's event loop (bench/ISOLATE.md) |
 * | busyAfterMs | 1000    | with a worker: the main thread counts as busy after not running this long (100..600000) |
 * | admin       | none    | admin API host:port (port 0 = any); the same API, dashboard and /metrics as `phantom agent` |
 * | adminToken  | none    | bearer token the admin API requires (16 characters or more)              |
 */
import { resolveAgentConfig, type AgentConfig, type AgentConfigInput } from '../agent/agent-config.js';
import { resolveBalancerConfig, type BalancerConfig } from '../balancer/config.js';
import { resolveHealthPolicy, type HealthPolicy } from '../cluster-health.js';
import { ClusterError } from '../errors.js';

/** Where the agent runs: on the host's event loop ('none') or in a worker thread. */
export type Isolation = 'none' | 'worker';
export const ISOLATIONS: readonly Isolation[] = ['none', 'worker'];

/** The worker is the default: measured in bench/ISOLATE.md, it keeps a blocked host's member alive for about 11 MiB and 0.23 s of start. */
export const EMBED_DEFAULTS = Object.freeze({ isolate: 'worker' as Isolation, busyAfterMs: 1000 });

export interface EmbedInput {
  readonly agent?: AgentConfigInput | undefined;
  readonly isolate?: Isolation | undefined;
  readonly busyAfterMs?: number | undefined;
  readonly admin?: string | undefined;
  readonly adminToken?: string | undefined;
  readonly health?: Partial<HealthPolicy> | undefined;
  readonly balancer?: Partial<BalancerConfig> | undefined;
}

export interface EmbedOptions {
  readonly agent: AgentConfig;
  readonly isolate: Isolation;
  readonly busyAfterMs: number;
  /** Admin API address, or null for none. */
  readonly admin: string | null;
  readonly adminToken: string | undefined;
  readonly policy: HealthPolicy;
  /** The tag that says "route around me": the balancer's, so both ends agree. */
  readonly healthTag: string;
}

export function resolveEmbedOptions(input: EmbedInput): EmbedOptions {
  const problems: string[] = [];
  const check = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      problems.push(e instanceof Error ? e.message.replace(/^invalid (agent |balancer )?config: /, '') : String(e));
      return undefined;
    }
  };
  const isolate = input.isolate ?? EMBED_DEFAULTS.isolate;
  if (!ISOLATIONS.includes(isolate)) problems.push(`isolate ${JSON.stringify(isolate)}: must be 'none' or 'worker'`);
  const busyAfterMs = input.busyAfterMs ?? EMBED_DEFAULTS.busyAfterMs;
  if (!(Number.isInteger(busyAfterMs) && busyAfterMs >= 100 && busyAfterMs <= 600_000))
    problems.push(`busyAfterMs (${String(busyAfterMs)}): must be an integer from 100 to 600000 (ms)`);
  // The admin address and token are checked as the agent's own fields are.
  const agent = check(() => resolveAgentConfig({ ...input.agent, admin: input.admin ?? null, adminToken: input.adminToken ?? input.agent?.adminToken }));
  const policy = check(() => resolveHealthPolicy(input.health));
  const balancer = check(() => resolveBalancerConfig(input.balancer));
  if (problems.length > 0 || !agent || !policy || !balancer) throw new ClusterError('ERR_CONFIG', `invalid cluster config: ${problems.join('; ')}`);
  return Object.freeze({ agent, isolate, busyAfterMs, admin: agent.admin, adminToken: agent.adminToken, policy, healthTag: balancer.healthTag });
}
