/**
 * What goes around a packet on the wire: an optional cluster label, then either the plaintext
 * packet or a sealed one (crypto.ts).
 *
 *   [0xf4, len, label bytes]?  then  [PROTOCOL_VERSION, ...]  or  [SEAL_VERSION, kind, ...]
 *
 * The label travels in clear so a receiver can tell "another cluster" from "wrong key" and
 * count it apart (memberlist does the same); when sealed it is also the associated data, so it
 * cannot be swapped. Plaintext only ever carries gossip; other kinds (key management) are
 * always sealed.
 *
 * Rolling upgrade, as memberlist's GossipVerifyIncoming/Outgoing: `verifyOutgoing` false sends
 * plaintext while holding a keyring, `verifyIncoming` false accepts plaintext as well as sealed.
 *
 * Replay window: a sealed datagram carries the time it was sealed (sender's clock, seconds), and
 * one sealed more than `replayWindowMs` before or after the receiver's clock is dropped as
 * `stale`, before any decryption. Gossip needs no more than that: a replay inside the window is
 * outranked by the incarnation its target refuted with (every accusation makes a live member
 * refute above it), and the window is kept below the reap times, so a packet about a member
 * from before it was forgotten cannot come back once it is (test/sim/replay.test.ts). memberlist
 * and Serf have no replay bound; the price here is that clocks must agree within the window.
 */
import { open, seal, sealedAt, SEAL_OVERHEAD_BYTES, SEAL_VERSION, SealKind, type SealKindCode } from './crypto.js';
import type { Keyring } from './keyring.js';
import type { DropReason } from './codec.js';
import { err, ok, type Result } from './result.js';

/** First byte of a labelled datagram (memberlist uses the same value, 244). */
export const LABEL_MARK = 0xf4;
/** Longest cluster label (bytes of UTF-8). */
export const MAX_LABEL_BYTES = 255;
/** Default replay window (ms): the protocol config's `replayWindowMs` in every profile. */
export const DEFAULT_REPLAY_WINDOW_MS = 600_000;

export interface EnvelopeOptions {
  /** Keys to seal and open with; none = plaintext only. */
  readonly keyring?: Keyring | undefined;
  /** Cluster label; '' or undefined = none. Datagrams with another label are dropped. */
  readonly label?: string | undefined;
  /** With a keyring: drop plaintext (default true). Set false while a cluster turns encryption on. */
  readonly verifyIncoming?: boolean | undefined;
  /** With a keyring: seal what we send (default true). Set false for the first upgrade step. */
  readonly verifyOutgoing?: boolean | undefined;
  /** Drop sealed datagrams sealed further than this from our clock (ms); 0 = no window. Default 10 min. */
  readonly replayWindowMs?: number | undefined;
  /** Wall clock (ms since 1970) that stamps and checks seals. Default Date.now. */
  readonly clock?: (() => number) | undefined;
}

/** A datagram opened: what it carries and whether it came sealed. */
export interface Opened {
  readonly kind: number;
  readonly body: Uint8Array;
  readonly sealed: boolean;
}

export interface Envelope {
  /** Whether outgoing gossip is sealed. */
  readonly sealing: boolean;
  /** Bytes added around a packet at most (label frame + seal). */
  readonly overheadBytes: number;
  wrap(kind: SealKindCode, body: Uint8Array): Uint8Array;
  /** Never throws. */
  unwrap(bytes: Uint8Array): Result<Opened, DropReason>;
  /** The kind a datagram claims, without opening it (for routing only; `unwrap` authenticates). */
  peekKind(bytes: Uint8Array): number | undefined;
}

/** Build the envelope; throws ERR_CONFIG-free RangeError only for a label over 255 bytes. */
export function createEnvelope(opts: EnvelopeOptions): Envelope {
  const label = Buffer.from(opts.label ?? '', 'utf8');
  if (label.length > MAX_LABEL_BYTES) throw new RangeError(`a cluster label is at most ${MAX_LABEL_BYTES} bytes`);
  const keyring = opts.keyring;
  const sealing = keyring !== undefined && opts.verifyOutgoing !== false;
  const requireSealed = keyring !== undefined && opts.verifyIncoming !== false;
  const prefix = label.length === 0 ? new Uint8Array(0) : Buffer.concat([Buffer.from([LABEL_MARK, label.length]), label]);
  const clock = opts.clock ?? Date.now;
  const windowMs = opts.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  // Seconds on the wire: allow the second lost to rounding on each side.
  const staleAfterMs = windowMs + 1000;

  const withLabel = (body: Uint8Array): Uint8Array => {
    if (prefix.length === 0) return body;
    const out = new Uint8Array(prefix.length + body.length);
    out.set(prefix, 0);
    out.set(body, prefix.length);
    return out;
  };

  /** The label the datagram carries and where its body starts, or undefined if malformed. */
  const split = (bytes: Uint8Array): { label: Uint8Array; at: number } | undefined => {
    if (bytes[0] !== LABEL_MARK) return { label: new Uint8Array(0), at: 0 };
    const n = bytes[1];
    if (n === undefined || n === 0 || bytes.length < 2 + n) return undefined;
    return { label: bytes.subarray(2, 2 + n), at: 2 + n };
  };

  return {
    sealing,
    overheadBytes: prefix.length + (keyring ? SEAL_OVERHEAD_BYTES : 0),
    wrap(kind, body) {
      // Only gossip may go in clear; key management is always sealed.
      if (keyring && (sealing || kind !== SealKind.gossip)) return withLabel(seal(keyring.primary, kind, body, label, Math.floor(clock() / 1000)));
      return withLabel(body);
    },
    unwrap(bytes) {
      let body = bytes;
      // Every datagram comes through here: an unlabelled one costs no allocation.
      if (bytes[0] === LABEL_MARK) {
        const s = split(bytes);
        if (!s) return err('decode', 'malformed label frame');
        if (!label.equals(s.label)) return err('label', `cluster label ${JSON.stringify(Buffer.from(s.label).toString('utf8'))}`);
        body = bytes.subarray(s.at);
      } else if (label.length > 0) return err('label', 'no cluster label');
      if (body[0] !== SEAL_VERSION) {
        if (requireSealed) return err('plaintext');
        return ok({ kind: SealKind.gossip, body, sealed: false });
      }
      if (!keyring) return err('unknown-key', 'sealed, and this agent has no keyring');
      const at = sealedAt(body);
      if (at !== undefined && windowMs > 0) {
        const age = clock() - at * 1000;
        if (Math.abs(age) > staleAfterMs) return err('stale', `sealed ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? 'ago' : 'ahead of our clock'}`);
      }
      const r = open(body, keyring.lookup, label);
      if (!r.ok) return err(r.reason === 'bad-seal' ? 'decode' : r.reason, r.detail);
      return ok({ kind: r.value.kind, body: r.value.plaintext, sealed: true });
    },
    peekKind(bytes) {
      let at = 0;
      if (bytes[0] === LABEL_MARK) {
        const s = split(bytes);
        if (!s) return undefined;
        at = s.at;
      }
      if (bytes[at] !== SEAL_VERSION) return SealKind.gossip;
      return bytes[at + 1];
    },
  };
}
