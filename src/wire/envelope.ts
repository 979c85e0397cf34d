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
 */
import { open, seal, SEAL_VERSION, SealKind, type SealKindCode } from './crypto.js';
import type { Keyring } from './keyring.js';
import type { DropReason } from './codec.js';
import { err, ok, type Result } from './result.js';

/** First byte of a labelled datagram (memberlist uses the same value, 244). */
export const LABEL_MARK = 0xf4;
/** Longest cluster label (bytes of UTF-8). */
export const MAX_LABEL_BYTES = 255;

export interface EnvelopeOptions {
  /** Keys to seal and open with; none = plaintext only. */
  readonly keyring?: Keyring | undefined;
  /** Cluster label; '' or undefined = none. Datagrams with another label are dropped. */
  readonly label?: string | undefined;
  /** With a keyring: drop plaintext (default true). Set false while a cluster turns encryption on. */
  readonly verifyIncoming?: boolean | undefined;
  /** With a keyring: seal what we send (default true). Set false for the first upgrade step. */
  readonly verifyOutgoing?: boolean | undefined;
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
    overheadBytes: prefix.length + (keyring ? 34 : 0),
    wrap(kind, body) {
      // Only gossip may go in clear; key management is always sealed.
      if (keyring && (sealing || kind !== SealKind.gossip)) return withLabel(seal(keyring.primary, kind, body, label));
      return withLabel(body);
    },
    unwrap(bytes) {
      const s = split(bytes);
      if (!s) return err('decode', 'malformed label frame');
      if (!label.equals(s.label)) return err('label', s.label.length === 0 ? 'no cluster label' : `cluster label ${JSON.stringify(Buffer.from(s.label).toString('utf8'))}`);
      const body = s.at === 0 ? bytes : bytes.subarray(s.at);
      if (body[0] !== SEAL_VERSION) {
        if (requireSealed) return err('plaintext');
        return ok({ kind: SealKind.gossip, body, sealed: false });
      }
      if (!keyring) return err('unknown-key', 'sealed, and this agent has no keyring');
      const r = open(body, keyring.lookup, label);
      if (!r.ok) return err(r.reason === 'bad-seal' ? 'decode' : r.reason, r.detail);
      return ok({ kind: r.value.kind, body: r.value.plaintext, sealed: true });
    },
    peekKind(bytes) {
      const s = split(bytes);
      if (!s) return undefined;
      const b0 = bytes[s.at];
      if (b0 !== SEAL_VERSION) return SealKind.gossip;
      return bytes[s.at + 1];
    },
  };
}
