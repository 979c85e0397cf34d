/**
 * Shape checks for decoded messages. msgpackr gives back whatever the bytes said; these turn it
 * into a typed Message or say why not. Nothing from the network is trusted: every field is
 * checked for type and range before the core sees it.
 */
import { MsgType, type Entry, type Message } from '../core/messages.js';

/** Bounds that apply to every string and list on the wire, whatever the config. */
export const WIRE_LIMITS = {
  maxStringBytes: 1024,
  maxTagItems: 128,
  maxEntries: 4096,
  maxMessages: 512,
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isInc = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= WIRE_LIMITS.maxStringBytes;
const isAddr = (v: unknown): v is string => isStr(v);

function isTags(v: unknown): v is readonly string[] {
  if (!Array.isArray(v) || v.length % 2 !== 0 || v.length > WIRE_LIMITS.maxTagItems) return false;
  for (const s of v) if (typeof s !== 'string' || s.length > WIRE_LIMITS.maxStringBytes) return false;
  return true;
}

function isEntry(v: unknown): v is Entry {
  return isObj(v) && isStr(v.name) && isAddr(v.addr) && isU32(v.state) && v.state <= 3 && isInc(v.inc) && isTags(v.tags);
}

export type ShapeCheck = { ok: true; message: Message } | { ok: false; reason: 'bad-shape' | 'unknown-type' };

/** Check one decoded value. Unknown types are reported apart: a newer peer may send them. */
export function checkMessage(v: unknown): ShapeCheck {
  if (!isObj(v) || !isU32(v.type)) return { ok: false, reason: 'bad-shape' };
  const good = ((): boolean => {
    switch (v.type) {
      case MsgType.Ping:
        return isU32(v.seq) && isStr(v.target) && isStr(v.from) && isU32(v.known);
      case MsgType.Ack:
        return isU32(v.seq) && isStr(v.from) && isU32(v.known);
      case MsgType.PingReq:
        return isU32(v.seq) && isStr(v.target) && isAddr(v.targetAddr) && isStr(v.from);
      case MsgType.Nack:
        return isU32(v.seq) && isStr(v.from);
      case MsgType.Alive:
        return isStr(v.name) && isAddr(v.addr) && isInc(v.inc) && isTags(v.tags);
      case MsgType.Suspect:
      case MsgType.Dead:
        return isStr(v.name) && isInc(v.inc) && isStr(v.from);
      case MsgType.Left:
        return isStr(v.name) && isInc(v.inc);
      case MsgType.PushPull: {
        if (!(isStr(v.from) && isU32(v.flags) && isU32(v.part) && isU32(v.parts) && v.part < v.parts)) return false;
        const entries = v.entries;
        if (!Array.isArray(entries) || entries.length > WIRE_LIMITS.maxEntries) return false;
        for (const e of entries) if (!isEntry(e)) return false;
        return true;
      }
      case MsgType.Digest:
        return isStr(v.from) && isInc(v.digest) && isU32(v.count);
      default:
        return false;
    }
  })();
  if (good) return { ok: true, message: v as unknown as Message };
  return { ok: false, reason: v.type >= 1 && v.type <= MsgType.Digest ? 'bad-shape' : 'unknown-type' };
}
