/**
 * What the main thread and the agent's worker thread say to each other (structured clone over
 * the worker's port). Membership events go out in batches, one message per protocol step, so the
 * main thread's mirror, ring and balancer follow without a round trip per lookup or pick.
 */
import type { AgentStats } from '../agent/agent.js';
import type { AgentConfigInput } from '../agent/agent-config.js';
import type { AgentState } from '../agent/health.js';
import type { HealthPolicy } from '../cluster-health.js';
import type { Member, MemberEvent, Tags } from '../core/types.js';
import type { Coordinate } from '../core/coordinate.js';
import type { QueryRequest, UserEventData } from '../core/io.js';
import type { IncomingQueryEvent } from '../agent/agent.js';
import type { QueryAnswer } from '../agent/query-stream.js';
import type { MainThreadStats } from './host-watch.js';
import type { ErrorCode } from '../errors.js';
import type { ShardMapInit } from '../ring/shard-map.js';

/** Everything the worker starts from (its workerData). */
export interface WorkerInit {
  readonly agent: AgentConfigInput;
  /** Admin API address, or null for none. */
  readonly admin: string | null;
  readonly adminToken: string | undefined;
  readonly policy: HealthPolicy;
  /** The tag that says "route around me" (the balancer's healthTag). */
  readonly healthTag: string;
  readonly busyAfterMs: number;
  readonly beatMs: number;
  /** The main thread's beat counter (one Int32). */
  readonly beat: SharedArrayBuffer;
  readonly snapshotIntervalMs?: number | undefined;
  /** The Cluster's shard map options, so the worker's `/v1/lookup` answers as `cluster.lookup`. */
  readonly shards?: ShardMapInit;
}

/** A failure as it crosses the thread boundary (a ClusterError's code survives). */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Call =
  | { readonly op: 'setTags'; readonly tags: Tags }
  | { readonly op: 'stats' }
  | { readonly op: 'event'; readonly name: string; readonly payload: Uint8Array; readonly coalesce: boolean }
  /** Ask; the answers come back as `query-answer` and `query-done` under `qid`. */
  | { readonly op: 'query'; readonly qid: number; readonly request: QueryRequest }
  /** Hand queries of this name to the main thread (`query-in`), or stop. */
  | { readonly op: 'on-query'; readonly name: string; readonly on: boolean }
  /** The main thread's answer to `query-in` `key` (undefined: none). */
  | { readonly op: 'query-respond'; readonly key: number; readonly payload: Uint8Array | undefined }
  | { readonly op: 'join'; readonly seeds: readonly string[] }
  | { readonly op: 'leave' }
  | { readonly op: 'shutdown' };

export type ToWorker = { readonly t: 'call'; readonly id: number; readonly call: Call };

/** Stats as the worker reports them: the agent's, and the main thread as seen from the worker. */
export interface WorkerStats {
  readonly agent: AgentStats;
  readonly mainThread: MainThreadStats;
}

export type FromWorker =
  | {
      readonly t: 'ready';
      readonly name: string;
      readonly address: string;
      readonly admin: string | undefined;
      readonly members: readonly Member[];
      readonly timeOrigin: number;
      readonly awareness: number;
    }
  | { readonly t: 'events'; readonly events: readonly MemberEvent[] }
  | { readonly t: 'user-event'; readonly event: UserEventData }
  | { readonly t: 'query-answer'; readonly qid: number; readonly answer: QueryAnswer }
  | { readonly t: 'query-done'; readonly qid: number; readonly timeoutMs: number }
  | { readonly t: 'query-in'; readonly key: number; readonly query: IncomingQueryEvent }
  | { readonly t: 'status'; readonly state: AgentState; readonly awareness: number; readonly mainThreadBusy: boolean }
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly t: 'log'; readonly line: string }
  /** Every network coordinate the agent holds, by member name (they move without member events). */
  | { readonly t: 'coordinates'; readonly coordinates: readonly (readonly [string, Coordinate])[] }
  | { readonly t: 'fatal'; readonly error: WireError };
