/**
 * The words of the protocol, shared by every layer. Pure types: no IO, no clock.
 */
import type { Coordinate } from './coordinate.js';

/** A member's state as this agent sees it. `dead` is the protocol word; events call it `failed`. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Is a member in this state live: alive or suspect? Live members own keys, are probed and counted in n. */
export function isLive(state: MemberState): state is 'alive' | 'suspect' {
  return state === 'alive' || state === 'suspect';
}

/** Where a member can be reached: `host:port` for UDP, any opaque string for the simulator. */
export type Address = string;

/** Metadata a member publishes about itself (`zone`, `weight`, `role`, ...). */
export type Tags = Readonly<Record<string, string>>;

/** One row of the membership table, as handed to users (a snapshot; never mutated after). */
export interface Member {
  readonly name: string;
  readonly address: Address;
  readonly state: MemberState;
  /** Raised only by the member itself; a higher one always wins. */
  readonly incarnation: number;
  readonly tags: Tags;
  /** Virtual or monotonic ms at which this agent last saw the state change. */
  readonly stateChangedAt: number;
  /** Its network coordinate as this agent last heard it (absent until heard, or when `coordinates` is off). */
  readonly coordinate?: Coordinate;
}

/** Randomness port: the core never calls Math.random. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Membership events, as the agent and the simulator publish them: the one list of their types. */
export const MEMBER_EVENT_TYPES = ['join', 'update', 'suspect', 'alive', 'failed', 'left'] as const;
export type MemberEventType = (typeof MEMBER_EVENT_TYPES)[number];

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: Member;
  /** The state before the change, or undefined for a newcomer. */
  readonly previous: MemberState | undefined;
}

/** Exhaustiveness guard for discriminated unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
