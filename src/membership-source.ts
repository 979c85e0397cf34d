/**
 * What the Cluster facade needs from an agent: its members and its events. A real agent and an
 * agent in the simulator both provide it, so the same Cluster runs in production and in tests.
 */
import type { Member, MemberEvent, MemberEventType } from './core/types.js';

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
}
