/**
 * The load balancer (`balancer/`): picks healthy members for requests with a switchable
 * algorithm and learns from lease outcomes. See docs/BALANCER.md.
 */
export { createBalancer, LoadBalancer, type BalancerDeps } from './balancer.js';
export { ALGORITHMS, defaultBalancerConfig, resolveBalancerConfig, type Algorithm, type BalancerConfig } from './config.js';
export { ejectionBackoffMs, ejectionCap } from './ejection.js';
export type { OwnersFn } from './affinity.js';
export {
  NONE_AVAILABLE,
  NO_MEMBERS,
  NO_OWNER,
  type Lease,
  type LeaseResult,
  type NoMember,
  type NoMemberReason,
  type PickResult,
} from './lease.js';
export type { Tier } from './members.js';
export type { MemberStats } from './stats.js';
