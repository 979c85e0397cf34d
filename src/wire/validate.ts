/**
 * Shape checks for decoded messages. msgpackr gives back whatever the bytes said; these turn it
 * into a typed Message or say why not. Nothing from the network is trusted: every field is
 * checked for type and range before the core sees it.
 */
import { MAX_COORD_UNITS, MAX_DIMENSIONS } from '../core/coordinate.js';
import { MsgType, type Message } from '../core/messages.js';
import { MAX_FILTER_BYTES, MAX_FILTER_PARTS, MAX_FILTER_PROBES } from '../core/name-filter.js';
import { addressProblem, nameProblem, tagKeyProblem, wireTagsProblem } from './values.js';

/** Bounds that apply to every string and list on the wire, whatever the config. */
export const WIRE_LIMITS = {
  maxTagItems: 128,
  maxEntries: 4096,
  maxMessages: 512,
  /** A user event's or query's payload, in bytes, whatever the sender's config allowed. */
  maxPayloadBytes: 16_384,
  /** Items of a query's filter list, and bytes of one tag pattern. */
  maxFilterItems: 96,
  maxPatternBytes: 256,
  /** Most relay copies of a query answer (Serf allows 5) and longest query timeout (ms). */
  maxRelay: 5,
  maxQueryTimeoutMs: 3_600_000,
  /** A catch-up's name filter: most parts, probes per name, and bytes of one part. */
  maxFilterParts: MAX_FILTER_PARTS,
  maxFilterProbes: MAX_FILTER_PROBES,
  maxFilterBytes: MAX_FILTER_BYTES,
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isInc = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** A coordinate integer (core/coordinate.ts units): finite, whole, bounded. */
const isCoordInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_COORD_UNITS;
const isCoordVec = (v: unknown): boolean => Array.isArray(v) && v.length >= 1 && v.length <= MAX_DIMENSIONS && v.every(isCoordInt);
/** The highest message type this version knows; anything above is a newer peer's. */
const LAST_TYPE = Math.max(...Object.values(MsgType));

/** Why a message was refused: its structure, or one of the values it carries. */
export type MessageProblem = 'bad-shape' | 'unknown-type' | 'bad-name' | 'bad-address' | 'bad-tags' | 'too-big-payload';

/**
 * Value checks run in order; the first refusal wins. A name field is a member name, an address
 * field a member address (values.ts holds the one rule for each).
 */
class Checker {
  problem: MessageProblem | undefined;
  name(v: unknown): boolean {
    if (nameProblem(v) === undefined) return true;
    this.problem ??= typeof v === 'string' ? 'bad-name' : 'bad-shape';
    return false;
  }
  addr(v: unknown): boolean {
    if (addressProblem(v) === undefined) return true;
    this.problem ??= typeof v === 'string' ? 'bad-address' : 'bad-shape';
    return false;
  }
  tags(v: unknown): boolean {
    if (!Array.isArray(v) || v.length % 2 !== 0) return this.fail('bad-shape');
    if (wireTagsProblem(v, WIRE_LIMITS.maxTagItems) === undefined) return true;
    return this.fail('bad-tags');
  }
  payload(v: unknown): boolean {
    if (!(v instanceof Uint8Array)) return this.fail('bad-shape');
    return v.length <= WIRE_LIMITS.maxPayloadBytes || this.fail('too-big-payload');
  }
  shape(ok: boolean): boolean {
    return ok || this.fail('bad-shape');
  }
  tagKey(v: unknown): boolean {
    return tagKeyProblem(v) === undefined || this.fail(typeof v === 'string' ? 'bad-tags' : 'bad-shape');
  }
  private fail(p: MessageProblem): false {
    this.problem ??= p;
    return false;
  }
}

/** ['n', name] | ['t', key, pattern] items, flat. */
function checkFilters(c: Checker, v: unknown): boolean {
  if (!c.shape(Array.isArray(v) && v.length <= WIRE_LIMITS.maxFilterItems)) return false;
  const items = v as unknown[];
  for (let i = 0; i < items.length; ) {
    if (items[i] === 'n') {
      if (!c.name(items[i + 1])) return false;
      i += 2;
    } else if (items[i] === 't') {
      const pattern = items[i + 2];
      if (!(c.tagKey(items[i + 1]) && c.shape(typeof pattern === 'string' && pattern.length <= WIRE_LIMITS.maxPatternBytes))) return false;
      i += 3;
    } else return c.shape(false);
  }
  return true;
}

function checkEntry(c: Checker, v: unknown): boolean {
  if (!isObj(v)) return c.shape(false);
  return c.shape(isU32(v.state) && v.state <= 3 && isInc(v.inc) && (v.age === undefined || isInc(v.age))) && c.name(v.name) && c.addr(v.addr) && c.tags(v.tags);
}

export type ShapeCheck = { ok: true; message: Message } | { ok: false; reason: MessageProblem };

/** Check one decoded value. Unknown types are reported apart: a newer peer may send them. */
export function checkMessage(v: unknown): ShapeCheck {
  if (!isObj(v) || !isU32(v.type)) return { ok: false, reason: 'bad-shape' };
  const c = new Checker();
  const good = ((): boolean => {
    switch (v.type) {
      case MsgType.Ping:
        return c.shape(isU32(v.seq) && isU32(v.known)) && c.name(v.target) && c.name(v.from);
      case MsgType.Ack:
        return c.shape(isU32(v.seq) && isU32(v.known)) && c.name(v.from);
      case MsgType.PingReq:
        return c.shape(isU32(v.seq)) && c.name(v.target) && c.addr(v.targetAddr) && c.name(v.from);
      case MsgType.Nack:
        return c.shape(isU32(v.seq)) && c.name(v.from);
      case MsgType.Alive:
        return c.shape(isInc(v.inc) && (v.born === undefined || (isInc(v.born) && v.born <= v.inc))) && c.name(v.name) && c.addr(v.addr) && c.tags(v.tags);
      case MsgType.Suspect:
      case MsgType.Dead:
        return c.shape(isInc(v.inc)) && c.name(v.name) && c.name(v.from);
      case MsgType.Left:
        return c.shape(isInc(v.inc) && (v.prune === undefined || v.prune === 1)) && c.name(v.name);
      case MsgType.PushPull: {
        if (!(c.shape(isU32(v.flags) && isU32(v.part) && isU32(v.parts) && v.part < v.parts) && c.name(v.from))) return false;
        const entries = v.entries;
        if (!c.shape(Array.isArray(entries) && entries.length <= WIRE_LIMITS.maxEntries)) return false;
        for (const e of entries as unknown[]) if (!checkEntry(c, e)) return false;
        return true;
      }
      case MsgType.Digest:
        return c.shape(isInc(v.digest) && isU32(v.count)) && c.name(v.from);
      case MsgType.Cookie:
        return c.shape(isU32(v.seq)) && c.name(v.from);
      case MsgType.Coord:
        return c.shape(isCoordVec(v.vec) && isCoordInt(v.height) && v.height >= 0 && isCoordInt(v.error) && v.error >= 0 && isCoordInt(v.adj));
      case MsgType.EventClock:
        return c.shape(isInc(v.ltime));
      case MsgType.Have:
        return (
          c.shape(
            isU32(v.part) &&
              isU32(v.parts) &&
              v.parts >= 1 &&
              v.parts <= WIRE_LIMITS.maxFilterParts &&
              v.part < v.parts &&
              isU32(v.k) &&
              v.k >= 1 &&
              v.k <= WIRE_LIMITS.maxFilterProbes &&
              isU32(v.salt) &&
              v.bits instanceof Uint8Array &&
              v.bits.length >= 1 &&
              v.bits.length <= WIRE_LIMITS.maxFilterBytes,
          ) && c.name(v.from)
        );
      case MsgType.UserEvent:
        // An event name follows the member-name rule: it is printed and matched by operators.
        return c.shape(isInc(v.ltime) && isU32(v.flags)) && c.name(v.name) && c.payload(v.payload);
      case MsgType.Query:
        return (
          c.shape(
            isInc(v.ltime) &&
              isU32(v.id) &&
              isU32(v.flags) &&
              isU32(v.relay) &&
              v.relay <= WIRE_LIMITS.maxRelay &&
              isU32(v.timeout) &&
              v.timeout > 0 &&
              v.timeout <= WIRE_LIMITS.maxQueryTimeoutMs,
          ) &&
          c.name(v.from) &&
          c.addr(v.addr) &&
          c.name(v.name) &&
          c.payload(v.payload) &&
          checkFilters(c, v.filters)
        );
      case MsgType.QueryResponse:
        return (
          c.shape(isInc(v.ltime) && isU32(v.id) && isU32(v.flags) && typeof v.to === 'string') &&
          c.name(v.from) &&
          c.payload(v.payload) &&
          (v.to === '' || c.addr(v.to))
        );
      default:
        return false;
    }
  })();
  if (good) {
    // A payload decoded from a Buffer is a view of the whole datagram: copy it, so an event kept
    // in the recent-event buffer holds its own few bytes, not the packet around them.
    if (v.type === MsgType.UserEvent || v.type === MsgType.Query || v.type === MsgType.QueryResponse) v.payload = new Uint8Array(v.payload as Uint8Array);
    return { ok: true, message: v as unknown as Message };
  }
  if (v.type >= 1 && v.type <= LAST_TYPE) return { ok: false, reason: c.problem ?? 'bad-shape' };
  return { ok: false, reason: 'unknown-type' };
}
