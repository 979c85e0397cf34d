/**
 * What the Cluster facade needs from an agent: its members and its events, and, for a real
 * agent, the operations an operator has (tags, stats, join). A real agent on this thread, a real
 * agent in a worker thread and an agent in the simulator all provide it, so the same Cluster runs
 * in production and in tests.
 */
import type { AgentHealth, AgentStats, QueryHandler, QueryOptions } from './agent/agent.js';
import type { QueryStream } from './agent/query-stream.js';
import type { MainThreadStats } from './embed/host-watch.js';
import type { Member, MemberEvent, MemberEventType, Tags } from './core/types.js';
import type { UserEventData } from './core/io.js';

/** A Cluster's stats: the agent's (as `GET /v1/stats`), where it runs, and its host thread. */
export type ClusterStats = AgentStats & {
  /** Where the agent runs: on the host's event loop, or in a worker thread. */
  readonly isolate: 'none' | 'worker';
  /** With a worker: how the host's main thread fared (it blocks, the agent does not). */
  readonly mainThread?: MainThreadStats;
};

export interface MembershipSource {
  /** Our own member name. */
  readonly name: string;
  /** Every member known, ourselves included. */
  members(): Member[];
  /** Subscribe to one event type; returns the unsubscribe function. */
  on(type: MemberEventType, fn: (e: MemberEvent) => void): () => void;
  /** Our Lifeguard awareness score (0 = healthy), when the source knows it. */
  awareness?(): number;
  leave(): Promise<void>;
  shutdown(): Promise<void>;
  /** The agent's own health (running, not isolated), when the source knows it. */
  agentHealth?(): AgentHealth;
  /** Replace our tags; throws ClusterError (ERR_TAGS_TOO_LARGE, ERR_NOT_RUNNING) before anything changes. */
  setTags?(tags: Tags): void;
  stats?(): Promise<ClusterStats>;
  /** Send a user event to every member (see Agent.event); throws as it does. */
  event?(name: string, payload: Uint8Array, coalesce: boolean): void;
  /** Ask a query (see Agent.query); throws as it does. */
  query?(name: string, payload: Uint8Array, opts: QueryOptions): QueryStream;
  /** Answer queries named `name` (see Agent.onQuery); returns the function that removes it. */
  onQuery?(name: string, handler: QueryHandler): () => void;
  /** Hear every user event (after coalescing); returns the unsubscribe function. */
  onUserEvent?(fn: (e: UserEventData) => void): () => void;
  join?(seeds: readonly string[]): Promise<number>;
  /** The admin API address, when the source serves one. */
  readonly adminAddress?: string | undefined;
}
