/**
 * Packets <-> messages. A packet is one version byte and a msgpack array of messages (a
 * compound). Messages are msgpackr records whose shapes come from a table fixed by the protocol
 * version, so both ends agree without exchanging it and a message costs a one-byte shape
 * reference instead of its key names.
 *
 * Decoding never throws: it returns the messages or a reason, and the caller counts the drop.
 * Each message's encoding is cached (messages are immutable), so an update piggybacked twelve
 * times is encoded once.
 */
import { Packr } from 'msgpackr';
import { MsgType, PROTOCOL_VERSION, RECORD_SHAPES, pushPull, type Entry, type Message, type PushPull } from '../core/messages.js';
import { err, ok, type Result } from './result.js';
import { checkMessage, WIRE_LIMITS } from './validate.js';

/**
 * Why a datagram (or part of one) was dropped; every drop is counted under one of these.
 * `inline-shape` = the packet defined a record shape of its own (never valid on our wire);
 * `bad-name` / `bad-address` / `bad-tags` = a value the CLI would refuse (see values.ts); `too-big-payload` = a user event's
 * payload over WIRE_LIMITS.maxPayloadBytes.
 * The last group comes from the layers around the codec: `label` = another cluster's label (or
 * none where one is expected), `auth` = the seal did not verify, `unknown-key` = sealed with a
 * key we do not hold, `plaintext` = unsealed while encryption is enforced, `stale` = sealed
 * outside the replay window, `member-cap` = an unknown member while the table is full,
 * `too-big-meta` = a member's tags over the cap.
 */
export type DropReason =
  | 'empty'
  | 'too-big'
  | 'bad-version'
  | 'decode'
  | 'bad-shape'
  | 'inline-shape'
  | 'bad-name'
  | 'bad-address'
  | 'bad-tags'
  | 'too-big-payload'
  | 'unknown-type'
  | 'too-many'
  | 'label'
  | 'auth'
  | 'unknown-key'
  | 'plaintext'
  | 'stale'
  | 'member-cap'
  | 'too-big-meta';

/** Largest UDP payload over IPv4. */
export const MAX_PACKET_BYTES = 65_507;

export interface Codec {
  /** Encoded size of one message inside a compound (bytes): the core's `sizeOf` port. */
  sizeOf(m: Message): number;
  encode(messages: readonly Message[]): Uint8Array;
  decode(bytes: Uint8Array): Result<Message[], DropReason>;
}

export interface CodecOptions {
  /**
   * Share decoded messages between receivers (the simulator, where every agent uses one codec
   * in one process): a packet this codec encoded, handed back unchanged (the same Uint8Array),
   * decodes to the messages an earlier decode of the same messages gave, and a decoded message
   * that is passed on is its own decoding. An update gossiped to every agent is then decoded and
   * encoded once instead of once per hop. The result is what a full decode gives (the first
   * decode of each message is a full one), as long as nobody writes into a packet after
   * encoding it or into a decoded message. Off for agents on a network: their packets are
   * never the codec's own objects.
   */
  readonly shareDecoded?: boolean;
}

function newPackr(): Packr {
  const structures = RECORD_SHAPES.map((s) => [...s]);
  return new Packr({ structures, maxSharedStructures: structures.length, useRecords: true, moreTypes: false, bundleStrings: false });
}

/** msgpackr's view of its shape table: an array, plus the count it treats as shared. */
type ShapeTable = unknown[] & { sharedLength?: number };

export function createCodec(options: CodecOptions = {}): Codec {
  const packr = newPackr();
  const unpackr = newPackr();
  const unpackrState = unpackr as unknown as { structures: ShapeTable };
  // msgpackr lets a packet define record shapes inline and keeps them, in slots it may share
  // with the fixed table. Each decode gets a fresh copy of the fixed table, so whatever a packet
  // writes into it dies with that packet, and a packet that wrote anything is refused.
  const fixed: readonly unknown[] = [...unpackrState.structures];
  const fixedKeys = Object.keys(unpackrState.structures).length;
  const cache = new WeakMap<Message, Uint8Array>();
  const share = options.shareDecoded === true;
  /** shareDecoded: packets this codec encoded, with what they carry. */
  const sent = new WeakMap<Uint8Array, readonly Message[]>();
  /** shareDecoded: each message's decoded form (a decoded message maps to itself). */
  const decodedOf = new WeakMap<Message, Message>();
  /**
   * shareDecoded: each push-pull entry's decoded form. State transfers are new messages each
   * time, but their rows are the same shared entries (core/push-pull.ts, pushRowEntry), so a transfer
   * of rows that were all decoded before needs no decoding.
   */
  const decodedEntries = new WeakMap<Entry, Entry>();

  // Copy: msgpackr reuses its output buffer between calls.
  const pack = (v: unknown): Uint8Array => Uint8Array.prototype.slice.call(packr.pack(v));
  const entryBytes = new WeakMap<Entry, Uint8Array>();
  const encodeEntry = (e: Entry): Uint8Array => {
    let bytes = entryBytes.get(e);
    if (!bytes) entryBytes.set(e, (bytes = pack(e)));
    return bytes;
  };
  const encodeOne = (m: Message): Uint8Array => {
    let bytes = cache.get(m);
    if (!bytes) {
      bytes = m.type === MsgType.PushPull && Array.isArray(m.entries) && m.entries.length > 0 ? encodePushPull(m) : pack(m);
      cache.set(m, bytes);
    }
    return bytes;
  };
  /**
   * A state transfer from its entries' cached encodings: a record is its shape byte and its
   * values, whatever holds it, so the message is its header (with an empty entry list, whose
   * one-byte array header is replaced) and the entries' own bytes. The rows of a transfer are
   * shared entries (core/push-pull.ts), each packed once instead of once per transfer.
   */
  function encodePushPull(m: PushPull): Uint8Array {
    // Only rows that are objects can be cached (a test may encode anything, to see it refused).
    if (!m.entries.every((e) => typeof e === 'object' && e !== null)) return pack(m);
    const head = packr.pack(pushPull(m.from, m.flags, m.part, m.parts, []));
    if (head[head.length - 1] !== 0x90) return pack(m);
    const n = m.entries.length;
    const parts = m.entries.map(encodeEntry);
    const arrayHeader = n < 16 ? 1 : n < 0x10000 ? 3 : 5;
    let total = head.length - 1 + arrayHeader;
    for (const p of parts) total += p.length;
    const out = new Uint8Array(total);
    out.set(head.subarray(0, head.length - 1));
    let o = head.length - 1;
    if (n < 16) out[o++] = 0x90 | n;
    else if (n < 0x10000) {
      out[o++] = 0xdc;
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      out[o++] = 0xdd;
      out[o++] = (n >>> 24) & 0xff;
      out[o++] = (n >> 16) & 0xff;
      out[o++] = (n >> 8) & 0xff;
      out[o++] = n & 0xff;
    }
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  return {
    sizeOf: (m) => encodeOne(m).length,

    encode(messages) {
      const parts = messages.map(encodeOne);
      const n = parts.length;
      const header = n < 16 ? 1 : 3;
      let total = 1 + header;
      for (const p of parts) total += p.length;
      const out = new Uint8Array(total);
      out[0] = PROTOCOL_VERSION;
      let o = 1;
      if (n < 16) out[o++] = 0x90 | n;
      else {
        out[o++] = 0xdc;
        out[o++] = n >> 8;
        out[o++] = n & 0xff;
      }
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      if (share) sent.set(out, messages);
      return out;
    },

    decode(bytes) {
      if (!share) return decodeFully(bytes);
      const carried = sent.get(bytes);
      // The packet-level limits hold on this path too.
      if (carried === undefined || bytes.length > MAX_PACKET_BYTES || carried.length > WIRE_LIMITS.maxMessages) return decodeFully(bytes);
      const known = sharedDecoding(carried);
      if (known) return ok(known);
      const r = decodeFully(bytes);
      // Remember each message's decoding; a packet that lost a message (unknown type) or was
      // refused keeps taking the full path, so it is refused or trimmed the same way each time.
      if (r.ok && r.value.length === carried.length) {
        for (let i = 0; i < carried.length; i++) {
          const m = carried[i]!;
          if (m.type === MsgType.PushPull) rememberEntries(m, r.value[i] as PushPull);
          const earlier = decodedOf.get(m);
          // Keep the first decoding, so that every receiver holds the same object.
          if (earlier) r.value[i] = earlier;
          else {
            decodedOf.set(m, r.value[i]!);
            decodedOf.set(r.value[i]!, r.value[i]!);
          }
        }
      }
      return r;
    },
  };

  /** The shared decodings of every message of a packet, or undefined if one was never decoded. */
  function sharedDecoding(carried: readonly Message[]): Message[] | undefined {
    const out: Message[] = [];
    for (const m of carried) {
      const d = decodedOf.get(m) ?? (m.type === MsgType.PushPull ? sharedPushPull(m) : undefined);
      if (d === undefined) return undefined;
      out.push(d);
    }
    return out;
  }

  /**
   * A state transfer whose every entry was decoded before: those decodings, under a header that
   * passed the same checks a full decode applies (the header is the sender's own, unchanged).
   */
  function sharedPushPull(m: PushPull): Message | undefined {
    if (!Array.isArray(m.entries) || m.entries.length > WIRE_LIMITS.maxEntries) return undefined;
    const entries: Entry[] = [];
    for (const e of m.entries) {
      const d = decodedEntries.get(e);
      if (d === undefined) return undefined;
      entries.push(d);
    }
    const header = pushPull(m.from, m.flags, m.part, m.parts, []);
    if (!checkMessage(header).ok) return undefined;
    const d = pushPull(header.from, header.flags, header.part, header.parts, entries);
    decodedOf.set(m, d);
    decodedOf.set(d, d);
    return d;
  }

  /** After a full decode: each entry's decoding, the first one kept so that receivers share it. */
  function rememberEntries(sent: PushPull, decoded: PushPull): void {
    const out = decoded.entries as Entry[];
    if (!Array.isArray(sent.entries) || sent.entries.length !== out.length) return;
    for (let j = 0; j < sent.entries.length; j++) {
      const e = sent.entries[j]!;
      if (typeof e !== 'object' || e === null) return;
      const earlier = decodedEntries.get(e);
      if (earlier) out[j] = earlier;
      else decodedEntries.set(e, out[j]!);
    }
  }

  function decodeFully(bytes: Uint8Array): Result<Message[], DropReason> {
    if (bytes.length < 2) return err('empty');
    if (bytes.length > MAX_PACKET_BYTES) return err('too-big');
    if (bytes[0] !== PROTOCOL_VERSION) return err('bad-version', `version ${bytes[0]}`);
    const table: ShapeTable = fixed.slice();
    table.sharedLength = fixed.length;
    unpackrState.structures = table;
    let value: unknown;
    try {
      value = unpackr.unpack(bytes.subarray(1));
    } catch (e) {
      return err(tampered(table) ? 'inline-shape' : 'decode', e instanceof Error ? e.message : String(e));
    }
    if (tampered(table)) return err('inline-shape');
    if (!Array.isArray(value)) return err('bad-shape', 'not a compound');
    if (value.length > WIRE_LIMITS.maxMessages) return err('too-many');
    const messages: Message[] = [];
    let unknown = 0;
    for (const v of value) {
      const c = checkMessage(v);
      if (c.ok) messages.push(c.message);
      else if (c.reason === 'unknown-type') unknown++;
      else return err(c.reason);
    }
    if (messages.length === 0) return err(unknown > 0 ? 'unknown-type' : 'empty');
    return ok(messages);
  }

  /** Did the packet define a shape: a new slot, a replaced slot, or a keyed (high-byte) one? */
  function tampered(table: ShapeTable): boolean {
    if (table.length !== fixed.length) return true;
    for (let i = 0; i < fixed.length; i++) if (table[i] !== fixed[i]) return true;
    return Object.keys(table).length !== fixedKeys;
  }
}
