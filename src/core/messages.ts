/**
 * Protocol messages. They are also the wire objects: the codec encodes them as msgpackr records
 * whose key order is fixed per type, so build them only with the factories below.
 *
 * APPEND ONLY: the numbers of MsgType and MemberCode are the protocol. Never renumber, never reuse.
 */
import type { MemberState } from './types.js';

export const MsgType = {
  Ping: 1,
  Ack: 2,
  PingReq: 3,
  Nack: 4,
  Alive: 5,
  Suspect: 6,
  Dead: 7,
  Left: 8,
  PushPull: 9,
  Digest: 10,
  Cookie: 11,
  Coord: 12,
  UserEvent: 13,
  Query: 14,
  QueryResponse: 15,
  EventClock: 16,
  Have: 17,
} as const;
export type MsgTypeCode = (typeof MsgType)[keyof typeof MsgType];

/** A direct probe. `target` is the name we believe lives at the address: a stale address is ignored. */
export interface Ping {
  readonly type: 1;
  readonly seq: number;
  readonly target: string;
  readonly from: string;
  readonly known: number;
}
/** Answer to a ping, or relayed for a ping-req. `known` = members the sender counts live, for catch-up sync. */
export interface Ack {
  readonly type: 2;
  readonly seq: number;
  readonly from: string;
  readonly known: number;
}
/** Ask the receiver to ping `target` at `targetAddr` for us and relay the ack under our `seq`. */
export interface PingReq {
  readonly type: 3;
  readonly seq: number;
  readonly target: string;
  readonly targetAddr: string;
  readonly from: string;
}
/** A ping-req intermediary's "I could not reach the target either" (Lifeguard). */
export interface Nack {
  readonly type: 4;
  readonly seq: number;
  readonly from: string;
}
/**
 * `name` is alive at `addr` with incarnation `inc`; tags as a flat sorted [k1, v1, k2, v2, ...]
 * list. `born` (only in a member's own claims; absent in rows from push-pull): the incarnation
 * its current process life began at. A claim whose `born` is above the incarnation we hold the
 * member dead at comes from a new process (a restart), not the same one coming back.
 */
export interface Alive {
  readonly type: 5;
  readonly name: string;
  readonly addr: string;
  readonly inc: number;
  readonly tags: readonly string[];
  readonly born?: number;
}
/** `from` suspects `name` at incarnation `inc`. */
export interface Suspect {
  readonly type: 6;
  readonly name: string;
  readonly inc: number;
  readonly from: string;
}
/** `from` declares `name` dead at incarnation `inc`. */
export interface Dead {
  readonly type: 7;
  readonly name: string;
  readonly inc: number;
  readonly from: string;
}
/** `name` left gracefully at incarnation `inc`. Never confused with dead. */
export interface Left {
  readonly type: 8;
  readonly name: string;
  readonly inc: number;
  /** 1: a force-leave with prune, every receiver forgets the row at once (Serf's `force-leave -prune`). */
  readonly prune?: 1;
}

/** Member states on the wire. APPEND ONLY. */
export const MemberCode = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
export const memberStateOf: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];

/**
 * One row of a push-pull state transfer. `age` (ms since the sender saw the row become dead or
 * left) travels only with dead and left rows, so the death keeps its age from agent to agent and
 * a row past the reap age is never taken back. Rows without it use the older shape.
 */
export interface Entry {
  readonly name: string;
  readonly addr: string;
  readonly state: number;
  readonly inc: number;
  readonly tags: readonly string[];
  readonly age?: number;
}

export const PushPullFlag = { reply: 1, join: 2, recent: 4, have: 8 } as const;
/**
 * One datagram of a full-state exchange. Each part merges on its own: no reassembly, and a lost
 * part only delays. `flags`: reply (this answers a push) | join (the sender is joining) | recent
 * (a catch-up that asks only for the receiver's newest rows, as many as `flags / 256` says:
 * push-pull.ts). Peers that do not know `recent` answer with their whole table, as before.
 * have (a catch-up whose `have` messages say which members the sender holds: each is answered
 * with the rows it lacks, not the whole table; peers that do not know it answer with the table).
 */
export interface PushPull {
  readonly type: 9;
  readonly from: string;
  readonly flags: number;
  readonly part: number;
  readonly parts: number;
  readonly entries: readonly Entry[];
}

/**
 * A summary of the sender's table (order-independent hash of every name:state:incarnation, and
 * the row count). A periodic anti-entropy round starts with it: when the receiver's digest is the
 * same, nothing more is sent; otherwise the receiver starts a full push-pull.
 */
export interface Digest {
  readonly type: 10;
  readonly from: string;
  readonly digest: number;
  readonly count: number;
}

/**
 * A stateless return-address check (anti-entropy.ts). Sent alone, it is a challenge: "echo this
 * `seq` with your request". Riding in a packet with a push-pull or digest, it is the echo. `seq`
 * is the receiver's keyed hash of the requester's address and a coarse time, so it proves the
 * requester receives at that address. It reuses the nack's shape: older peers skip it as an
 * unknown type.
 */
export interface Cookie {
  readonly type: 11;
  readonly seq: number;
  readonly from: string;
}

/**
 * The sender's network coordinate (coordinate.ts), riding as a companion of a direct ping or
 * ack. Integers, for bytes: `vec`, `height` and `adj` in COORD_UNIT_MS, `error` in 1/1000.
 * Older peers skip it as an unknown type.
 */
export interface Coord {
  readonly type: 12;
  readonly vec: readonly number[];
  readonly height: number;
  readonly error: number;
  readonly adj: number;
}

/**
 * A user event (`phantom event`): `name` and an opaque `payload`, stamped with the originator's
 * Lamport time `ltime`. Receivers deduplicate by (ltime, name, payload) and pass it on by gossip
 * in their own queue, apart from membership news. `flags`: UserEventFlag.
 */
export interface UserEvent {
  readonly type: 13;
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly flags: number;
}
export const UserEventFlag = { coalesce: 1 } as const;

/**
 * A query (`phantom query`): asked by `from`, answered at `addr`, spread by gossip like a user
 * event. `id` is the asker's own number for it; (from, id) names it everywhere. `filters` is a
 * flat list the receivers evaluate: ['n', name] (answer if we are one of the named nodes),
 * ['t', key, regex] (answer if our tag matches). `relay`: each answer also goes through this
 * many random members (Serf's relay factor). `timeout`: ms the asker waits. `flags`: QueryFlag.
 */
export interface Query {
  readonly type: 14;
  readonly ltime: number;
  readonly id: number;
  readonly from: string;
  readonly addr: string;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly flags: number;
  readonly relay: number;
  readonly timeout: number;
  readonly filters: readonly string[];
}
export const QueryFlag = { ack: 1 } as const;
/**
 * An answer to query (`ltime`, `id`) of its asker, from `from`: an ack (QueryFlag.ack, "I got
 * it") or a response with `payload`. `to` is '' when sent to the asker; a relay copy names the
 * asker's address in `to`, and the member it went through forwards it there.
 */
export interface QueryResponse {
  readonly type: 15;
  readonly ltime: number;
  readonly id: number;
  readonly from: string;
  readonly flags: number;
  readonly payload: Uint8Array;
  readonly to: string;
}

/**
 * The sender's user-event Lamport clock, riding with the first part of a state transfer: the
 * receiver sends back the recent events stamped at `ltime` or later, which the sender has missed.
 */
export interface EventClock {
  readonly type: 16;
  readonly ltime: number;
}

/**
 * Part `part` of `parts` of a Bloom filter of the names in the sender's table (name-filter.ts):
 * a catch-up asks the receiver for the rows whose names are in that part's share of the name
 * space and not in the filter, so a catch-up moves what is missing instead of a whole table.
 */
export interface Have {
  readonly type: 17;
  readonly from: string;
  readonly part: number;
  readonly parts: number;
  /** Probes per name. */
  readonly k: number;
  /** Mixed into every name's hashes: false positives differ from one catch-up to the next. */
  readonly salt: number;
  readonly bits: Uint8Array;
}

export type Message =
  | Ping
  | Ack
  | PingReq
  | Nack
  | Alive
  | Suspect
  | Dead
  | Left
  | PushPull
  | Digest
  | Cookie
  | Coord
  | UserEvent
  | Query
  | QueryResponse
  | EventClock
  | Have;
/** Messages that describe a member's state and ride piggyback. */
export type Update = Alive | Suspect | Dead | Left;

export const ping = (seq: number, target: string, from: string, known: number): Ping => ({ type: 1, seq, target, from, known });
export const ack = (seq: number, from: string, known: number): Ack => ({ type: 2, seq, from, known });
export const pingReq = (seq: number, target: string, targetAddr: string, from: string): PingReq => ({ type: 3, seq, target, targetAddr, from });
export const nack = (seq: number, from: string): Nack => ({ type: 4, seq, from });
export const alive = (name: string, addr: string, inc: number, tags: readonly string[], born?: number): Alive =>
  born === undefined ? { type: 5, name, addr, inc, tags } : { type: 5, name, addr, inc, tags, born };
export const suspect = (name: string, inc: number, from: string): Suspect => ({ type: 6, name, inc, from });
export const dead = (name: string, inc: number, from: string): Dead => ({ type: 7, name, inc, from });
export const left = (name: string, inc: number, prune = false): Left => (prune ? { type: 8, name, inc, prune: 1 } : { type: 8, name, inc });
export const entry = (name: string, addr: string, state: number, inc: number, tags: readonly string[]): Entry => ({ name, addr, state, inc, tags });
export const agedEntry = (name: string, addr: string, state: number, inc: number, tags: readonly string[], age: number): Entry => ({
  name,
  addr,
  state,
  inc,
  tags,
  age,
});
export const pushPull = (from: string, flags: number, part: number, parts: number, entries: readonly Entry[]): PushPull => ({
  type: 9,
  from,
  flags,
  part,
  parts,
  entries,
});
export const digest = (from: string, value: number, count: number): Digest => ({ type: 10, from, digest: value, count });
export const cookie = (seq: number, from: string): Cookie => ({ type: 11, seq, from });
export const coord = (vec: readonly number[], height: number, error: number, adj: number): Coord => ({ type: 12, vec, height, error, adj });
export const query = (
  ltime: number,
  id: number,
  from: string,
  addr: string,
  name: string,
  payload: Uint8Array,
  flags: number,
  relay: number,
  timeout: number,
  filters: readonly string[],
): Query => ({ type: 14, ltime, id, from, addr, name, payload, flags, relay, timeout, filters });
export const queryResponse = (ltime: number, id: number, from: string, flags: number, payload: Uint8Array, to: string): QueryResponse => ({
  type: 15,
  ltime,
  id,
  from,
  flags,
  payload,
  to,
});
export const eventClock = (ltime: number): EventClock => ({ type: 16, ltime });
export const have = (from: string, part: number, parts: number, k: number, salt: number, bits: Uint8Array): Have => ({
  type: 17,
  from,
  part,
  parts,
  k,
  salt,
  bits,
});
export const userEvent = (ltime: number, name: string, payload: Uint8Array, flags: number): UserEvent => ({ type: 13, ltime, name, payload, flags });

/**
 * The record table of protocol version 1: key order per shape. Both ends hold the same table,
 * so records travel as a one-byte reference. APPEND ONLY within a version.
 */
export const RECORD_SHAPES: readonly (readonly string[])[] = [
  ['type', 'seq', 'target', 'from', 'known'],
  ['type', 'seq', 'from', 'known'],
  ['type', 'seq', 'target', 'targetAddr', 'from'],
  ['type', 'seq', 'from'],
  ['type', 'name', 'addr', 'inc', 'tags'],
  ['type', 'name', 'inc', 'from'],
  ['type', 'name', 'inc'],
  ['type', 'from', 'flags', 'part', 'parts', 'entries'],
  ['name', 'addr', 'state', 'inc', 'tags'],
  ['type', 'from', 'digest', 'count'],
  ['name', 'addr', 'state', 'inc', 'tags', 'age'],
  // An alive claim with the start of the sender's process life (issue 18).
  ['type', 'name', 'addr', 'inc', 'tags', 'born'],
  ['type', 'vec', 'height', 'error', 'adj'],
  ['type', 'ltime', 'name', 'payload', 'flags'],
  ['type', 'ltime', 'id', 'from', 'addr', 'name', 'payload', 'flags', 'relay', 'timeout', 'filters'],
  ['type', 'ltime', 'id', 'from', 'flags', 'payload', 'to'],
  // A force-leave with prune.
  ['type', 'name', 'inc', 'prune'],
  ['type', 'ltime'],
  // A catch-up's filter of the names it holds (issue 16).
  ['type', 'from', 'part', 'parts', 'k', 'salt', 'bits'],
];

export const PROTOCOL_VERSION = 1;
