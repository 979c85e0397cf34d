/**
 * What goes into the core (Input) and what comes out (Output). The core is a pure function of
 * its inputs, the `now` values passed with them and its Random: no IO, no clock.
 */
import type { Message } from './messages.js';
import type { Address, MemberEvent, Tags } from './types.js';

export type Input =
  | { readonly type: 'packet'; readonly from: Address; readonly messages: readonly Message[] }
  | { readonly type: 'tick' }
  | { readonly type: 'join'; readonly id: number; readonly seeds: readonly Address[] }
  | { readonly type: 'leave' }
  | { readonly type: 'set-tags'; readonly tags: Tags }
  /** Operator's force-leave of a member we hold failed (swim.ts, forceLeave); `prune`: forget it at once. */
  | { readonly type: 'force-leave'; readonly name: string; readonly prune: boolean }
  /** The host measured its own event-loop delay (ms) over the last sampling window. */
  | { readonly type: 'lag'; readonly lagMs: number }
  /** The host is refusing a flood of bad datagrams: our own receive path is congested. */
  | { readonly type: 'flood' }
  /** Send a user event to every member (the host checked name and size). */
  | { readonly type: 'user-event'; readonly name: string; readonly payload: Uint8Array; readonly coalesce: boolean }
  /** Ask a query (the host checked name, sizes and filters; `id` is unique among ours). */
  | { readonly type: 'query'; readonly id: number; readonly request: QueryRequest }
  /** Answer a query handed to us (`IncomingQuery.key`); too late or twice is ignored. */
  | { readonly type: 'query-respond'; readonly key: string; readonly payload: Uint8Array };

export interface QueryRequest {
  readonly name: string;
  readonly payload: Uint8Array;
  /** Only these members answer (empty: any). */
  readonly nodes: readonly string[];
  /** Only members whose tag `key` matches the regular expression `pattern` answer. */
  readonly tags: readonly { readonly key: string; readonly pattern: string }[];
  /** Ask for an ack from each member the query reaches and that passes the filters. */
  readonly ack: boolean;
  /** Each answer also goes through this many random members (0–5). */
  readonly relay: number;
  /** How long to wait for answers (ms); 0 = gossipIntervalMs × queryTimeoutMult × ceil(log10(n+1)). */
  readonly timeoutMs: number;
}

/** A query handed to the host to answer. */
export interface IncomingQuery {
  /** Pass back with the answer. */
  readonly key: string;
  readonly name: string;
  readonly payload: Uint8Array;
  /** The asking member. */
  readonly from: string;
  readonly ltime: number;
  /** Answers after this (same clock as `now`) are not sent. */
  readonly deadline: number;
}

/** A user event as delivered to the host: once per agent, the sender included. */
export interface UserEventData {
  readonly name: string;
  readonly payload: Uint8Array;
  /** The sender's Lamport time: orders events, and picks the latest when coalescing. */
  readonly ltime: number;
  /** The sender allows listeners to see only the latest of a burst of events of this name. */
  readonly coalesce: boolean;
}

/** Things worth a log line or a counter; never needed for correctness. */
export type Note =
  | { readonly kind: 'probe-failed'; readonly target: string; readonly indirect: number }
  /** Our probe was acked after `rttMs` (ms), directly or through a ping-req helper. */
  | { readonly kind: 'probe-acked'; readonly target: string; readonly rttMs: number; readonly direct: boolean }
  | { readonly kind: 'refuted'; readonly incarnation: number; readonly accusedBy: string }
  | { readonly kind: 'suspicion-started'; readonly target: string; readonly by: string; readonly timeoutMs: number }
  | { readonly kind: 'suspicion-expired'; readonly target: string }
  | { readonly kind: 'push-pull'; readonly peer: Address; readonly reason: 'join' | 'periodic' | 'catch-up' | 'reconnect' }
  | { readonly kind: 'join-retry'; readonly attempt: number; readonly seeds: readonly Address[] }
  | { readonly kind: 'reaped'; readonly name: string }
  | { readonly kind: 'dropped'; readonly reason: string; readonly from: Address }
  /**
   * Two agents claim one name at two addresses. `holder`: the one the cluster holds; `claimant`:
   * the other. `role`: we hold it (holder), we are not admitted (claimant), or we saw it (witness).
   */
  | {
      readonly kind: 'name-conflict';
      readonly name: string;
      readonly holder: Address;
      readonly claimant: Address;
      readonly role: 'holder' | 'claimant' | 'witness';
    }
  /**
   * Our own incarnation is at the top every agent takes (precedence.ts, incarnation bounds), so
   * `action` could not be announced: a tag change is refused (tags unchanged), a leave stops us
   * without a `left` (others see us fail). Only a snapshot or refutations near 2^53 get here.
   */
  | { readonly kind: 'incarnation-exhausted'; readonly action: 'set-tags' | 'leave'; readonly incarnation: number };

/**
 * Inside the core: one message (and an optional companion) a part (prober, vetting,
 * anti-entropy) wants sent, with as many queued updates as fit behind (dissemination.ts).
 */
export interface Outgoing {
  readonly to: Address;
  readonly primary: Message;
  readonly companion?: Message | undefined;
}

export type Output =
  | { readonly type: 'send'; readonly to: Address; readonly messages: readonly Message[] }
  | { readonly type: 'event'; readonly event: MemberEvent }
  | { readonly type: 'user-event'; readonly event: UserEventData }
  | { readonly type: 'query'; readonly query: IncomingQuery }
  /** An ack or a response to our query `id`, once per member and kind. */
  | { readonly type: 'query-answer'; readonly id: number; readonly kind: 'ack' | 'response'; readonly from: string; readonly payload: Uint8Array }
  /** Our query `id` timed out (or we stopped): no more answers. */
  | { readonly type: 'query-done'; readonly id: number; readonly timeoutMs: number }
  | { readonly type: 'join-result'; readonly id: number; readonly ok: true; readonly contacted: number }
  | { readonly type: 'join-result'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly type: 'left' }
  | { readonly type: 'note'; readonly note: Note };
