/**
 * Sealing one datagram with AES-256-GCM (node:crypto). Layout of a sealed datagram:
 *
 * | offset | bytes | field                                                         |
 * |--------|-------|---------------------------------------------------------------|
 * | 0      | 1     | SEAL_VERSION (0xe5): never a plaintext protocol version byte |
 * | 1      | 1     | kind: what the plaintext is (gossip packet, key management)    |
 * | 2      | 4     | key id: first 4 bytes of SHA-256 of the key, big-endian        |
 * | 6      | 4     | sealed at: the sender's clock, seconds since 1970, big-endian  |
 * | 10     | 12    | nonce: random per datagram (96 bits, GCM's native size)        |
 * | 22     | n     | ciphertext                                                    |
 * | 22 + n | 16    | GCM tag                                                       |
 *
 * The 22-byte header and the cluster label are the associated data: a flipped kind, key id,
 * time or label fails the tag like a flipped ciphertext byte. The key id lets the receiver pick
 * the one key that can open, instead of trying each. The time lets the receiver refuse a
 * recorded datagram sent again long after (envelope.ts: the replay window). Random nonces are
 * safe for one key up to about 2^32 datagrams (NIST SP 800-38D); at 100 packets/s an agent takes
 * over a year to get there, and keys are meant to rotate well before.
 *
 * Opening never throws: it returns the plaintext or a reason.
 */
import { createCipheriv, createDecipheriv, createHash, randomFillSync } from 'node:crypto';
import { err, ok, type Result } from './result.js';

/** First byte of a sealed datagram. Plaintext packets start with the protocol version (1). */
export const SEAL_VERSION = 0xe5;
/** What a sealed datagram carries. APPEND ONLY: the values are the protocol. */
export const SealKind = { gossip: 0, keys: 1 } as const;
export type SealKindCode = (typeof SealKind)[keyof typeof SealKind];

/** AES-256: keys are exactly this many bytes. */
export const KEY_BYTES = 32;
/** Bytes before the ciphertext. */
export const SEAL_HEADER_BYTES = 22;
/** Bytes a seal adds to a plaintext: header plus tag. */
export const SEAL_OVERHEAD_BYTES = SEAL_HEADER_BYTES + 16;
const SEALED_AT = 6;
const NONCE_AT = 10;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a datagram did not open: `unknown-key` = no installed key has its id; `auth` = tag check failed. */
export type OpenFailure = 'auth' | 'unknown-key' | 'bad-seal';

/** The 32-bit id of a key: what the header carries so the receiver picks the right key. */
export function keyId(key: Uint8Array): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0);
}

/** A key with its id computed once. */
export interface SealKey {
  readonly id: number;
  readonly key: Buffer;
}

/** Make a SealKey; throws (misuse, not remote input) unless the key is KEY_BYTES long. */
export function sealKey(key: Uint8Array): SealKey {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256 key is ${KEY_BYTES} bytes, got ${key.length}`);
  return { id: keyId(key), key: Buffer.from(key) };
}

/**
 * Seal `plaintext` with `k`; `label` is bound as associated data (empty = no label).
 * `sealedAtS`: the sender's clock in whole seconds since 1970 (what the receiver's replay window
 * compares).
 */
export function seal(k: SealKey, kind: SealKindCode, plaintext: Uint8Array, label: Uint8Array, sealedAtS: number): Uint8Array {
  const out = Buffer.allocUnsafe(SEAL_OVERHEAD_BYTES + plaintext.length);
  out[0] = SEAL_VERSION;
  out[1] = kind;
  out.writeUInt32BE(k.id, 2);
  out.writeUInt32BE(sealedAtS >>> 0, SEALED_AT);
  const nonce = out.subarray(NONCE_AT, NONCE_AT + NONCE_BYTES);
  randomFillSync(nonce);
  const cipher = createCipheriv('aes-256-gcm', k.key, nonce);
  cipher.setAAD(aad(out.subarray(0, SEAL_HEADER_BYTES), label));
  const n = cipher.update(plaintext).copy(out, SEAL_HEADER_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, SEAL_HEADER_BYTES + n);
  return out;
}

/** Whether the bytes look sealed (first byte), and their kind. Not authenticated until opened. */
export function sealedKind(bytes: Uint8Array): number | undefined {
  return bytes.length >= SEAL_OVERHEAD_BYTES && bytes[0] === SEAL_VERSION ? bytes[1] : undefined;
}

/** The time a sealed datagram claims it was sealed at (seconds). Not authenticated until opened. */
export function sealedAt(bytes: Uint8Array): number | undefined {
  if (bytes.length < SEAL_OVERHEAD_BYTES || bytes[0] !== SEAL_VERSION) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32BE(SEALED_AT);
}

/** Open a sealed datagram with the key `lookup` finds for its id. Never throws. */
export function open(
  bytes: Uint8Array,
  lookup: (id: number) => SealKey | undefined,
  label: Uint8Array,
): Result<{ kind: number; plaintext: Uint8Array }, OpenFailure> {
  if (bytes.length < SEAL_OVERHEAD_BYTES || bytes[0] !== SEAL_VERSION) return err('bad-seal');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = b.readUInt32BE(2);
  const k = lookup(id);
  if (!k) return err('unknown-key', `key id ${id.toString(16)}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', k.key, b.subarray(NONCE_AT, NONCE_AT + NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(b.subarray(0, SEAL_HEADER_BYTES), label));
    decipher.setAuthTag(b.subarray(b.length - TAG_BYTES));
    const body = decipher.update(b.subarray(SEAL_HEADER_BYTES, b.length - TAG_BYTES));
    decipher.final();
    return ok({ kind: b[1]!, plaintext: body });
  } catch {
    return err('auth');
  }
}

function aad(header: Uint8Array, label: Uint8Array): Buffer {
  return label.length === 0 ? Buffer.from(header) : Buffer.concat([header, label]);
}
