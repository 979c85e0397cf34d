/**
 * phantom-cluster: SWIM + Lifeguard membership, a shard map (one placement of keys), a ring and a load
 * balancer for PhantomDB. The simulator is its own entry point: `phantom-cluster/sim`.
 */
export {
  Cluster,
  type ClusterOptions,
  type ClusterStartConfig,
  type ClusterDeps,
  type ClusterEvents,
  type ClusterHealth,
  type HealthPolicy,
  type Isolation,
} from './cluster.js';
export type { MembershipSource, ClusterStats } from './membership-source.js';
export type { MainThreadStats } from './embed/host-watch.js';
export { startAdminServer, ADMIN_MAX_BODY_BYTES, type AdminDeps, type AdminOptions, type AdminServer, type MemberJson } from './admin/server.js';
export { adminDepsFor, type AgentAdminOptions } from './admin/agent-deps.js';
export { MetricsRenderer, renderMetrics, METRICS_CONTENT_TYPE, type MetricsInput, type MetricsOptions } from './admin/metrics.js';
export {
  createAgent,
  type Agent,
  type AgentEvents,
  type AgentStats,
  type AgentHealth,
  type AgentRuntimeOptions,
  type UserEvent,
  type QueryOptions,
  type QueryHandler,
  type IncomingQueryEvent,
} from './agent/agent.js';
export { ANY_QUERY, QueryStream, type QueryAnswer, type QueryResult } from './agent/query-stream.js';
export type { AgentConfigInput } from './agent/agent-config.js';
export { resolveConfig, validateConfig, profiles, lan, wan, local, plainSwim, lifeguardOnly, type ProtocolConfig, type ProfileName } from './config.js';
export { ClusterError, ERROR_CODES, isErrorCode, type ErrorCode } from './errors.js';
export type { Member, MemberEvent, MemberEventType, MemberState, Tags, Random } from './core/types.js';
export { membershipChecksum } from './runtime/checksum.js';
export { HashRing, RingFeed, ShardMap, type RingChange, type ShardMove, type ShardMapInit } from './ring/index.js';
export { createBalancer, LoadBalancer, type Algorithm, type BalancerConfig } from './balancer/index.js';
