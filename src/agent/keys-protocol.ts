/**
 * The key-management datagrams (`phantom keys`), carried as SealKind.keys: always sealed with
 * the sender's primary key, so only holders of an installed key can ask or answer (and the
 * receiver checks the sender is a live member at its own address). The body is a small JSON
 * object, checked field by field; anything else is a counted drop.
 *
 * request  {t:"req", id, op, key?, fp?, from, at}   id: 16 hex chars, at: sender's wall clock (ms)
 * response {t:"res", id, from, ok, error?, keys?}
 *
 * A key itself travels only in `install` (`key`, base64). `use` and `remove` name it by its
 * fingerprint (`fp`, keyring.ts), and a `list` answer gives fingerprints, primary first: keys
 * installed out of band (`phantom keys install --local` on each host) never cross the wire, so
 * they stay secret from whoever holds an older, leaked key.
 *
 * Replays: a receiver refuses requests whose `at` is more than `KEYS_MAX_SKEW_MS` away from its
 * own clock, and answers a request id it has seen (within that window) from its memory instead
 * of applying it again.
 */

import { FINGERPRINT_CHARS, MAX_KEYS } from '../wire/keyring.js';

/** What a key request asks. */
export type KeyOp = 'list' | 'install' | 'use' | 'remove';
export const KEY_OPS: readonly KeyOp[] = ['list', 'install', 'use', 'remove'];

export interface KeyRequest {
  readonly t: 'req';
  readonly id: string;
  readonly op: KeyOp;
  /** install: the key (base64). */
  readonly key?: string;
  /** use, remove: the key's fingerprint. */
  readonly fp?: string;
  readonly from: string;
  /** Sender's wall clock (ms since the epoch). */
  readonly at: number;
}

export interface KeyResponse {
  readonly t: 'res';
  readonly id: string;
  readonly from: string;
  readonly ok: boolean;
  readonly error?: string;
  /** For list: fingerprints of the member's keys, primary first. */
  readonly keys?: readonly string[];
}

export type KeyMessage = KeyRequest | KeyResponse;

/** How far a request's clock may be from ours (ms); also how long request ids are remembered. */
export const KEYS_MAX_SKEW_MS = 60_000;
/** Largest key-management body accepted (bytes). A list answer with 16 keys is under 1 KB. */
export const KEYS_MAX_BODY_BYTES = 8192;

const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const FP = new RegExp(`^[0-9a-f]{${FINGERPRINT_CHARS}}$`);
const isFp = (v: unknown): v is string => typeof v === 'string' && FP.test(v);

export function encodeKeyMessage(m: KeyMessage): Uint8Array {
  return Buffer.from(JSON.stringify(m), 'utf8');
}

/** Parse and check a body; undefined when it is not a well-formed key message. Never throws. */
export function decodeKeyMessage(body: Uint8Array): KeyMessage | undefined {
  if (body.length > KEYS_MAX_BODY_BYTES) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!isStr(o.id, 32) || !isStr(o.from, 1024)) return undefined;
  if (o.t === 'req') {
    if (typeof o.op !== 'string' || !(KEY_OPS as readonly string[]).includes(o.op)) return undefined;
    // Exactly what the op needs: the key for install, a fingerprint for use and remove.
    if (o.op === 'install' ? !isStr(o.key, 64) : o.key !== undefined) return undefined;
    if (o.op === 'use' || o.op === 'remove' ? !isFp(o.fp) : o.fp !== undefined) return undefined;
    if (typeof o.at !== 'number' || !Number.isFinite(o.at)) return undefined;
    return {
      t: 'req',
      id: o.id,
      op: o.op as KeyOp,
      from: o.from,
      at: o.at,
      ...(typeof o.key === 'string' ? { key: o.key } : {}),
      ...(typeof o.fp === 'string' ? { fp: o.fp } : {}),
    };
  }
  if (o.t === 'res') {
    if (typeof o.ok !== 'boolean') return undefined;
    if (o.error !== undefined && !isStr(o.error, 1024)) return undefined;
    if (o.keys !== undefined && !(Array.isArray(o.keys) && o.keys.length <= MAX_KEYS && o.keys.every(isFp))) return undefined;
    return {
      t: 'res',
      id: o.id,
      from: o.from,
      ok: o.ok,
      ...(o.error !== undefined ? { error: o.error as string } : {}),
      ...(o.keys !== undefined ? { keys: o.keys as string[] } : {}),
    };
  }
  return undefined;
}
