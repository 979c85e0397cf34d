/**
 * Hashing for the ring and the shard map: farmhash fingerprint32, which is stable across
 * platforms and versions (unlike farmhash `hash32`), so every agent computes the same points.
 *
 * Virtual node ids are length-prefixed (`<len>:<name>#<i>`). ringpop hashed `name + i`, so
 * `1.2.3.4:55` vnode 5 and `1.2.3.4:555` vnode "" collided and skewed the ring (ringpop-node
 * #241); with the length first, the id parses back to exactly one (name, i), so ids of two
 * different members can never be equal strings.
 */
import farmhash from 'farmhash';
import { fmix32 } from '../core/hash.js';

/** A key as callers hand it to the ring: text, or raw bytes (hashed as given, no copy). */
export type RingKey = string | Uint8Array;

/** 32-bit point on the ring, in [0, 2^32). */
export function hashKey(key: RingKey): number {
  if (typeof key === 'string') return farmhash.fingerprint32(key);
  // farmhash's native binding accepts only Buffer; a view over the same memory copies nothing.
  const buf = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return farmhash.fingerprint32(buf);
}

/** The id hashed for virtual node `i` of member `name`; injective over (name, i). */
export function vnodeId(name: string, i: number): string {
  return `${name.length}:${name}#${i}`;
}

/** Ring point of virtual node `i` of member `name`, in [0, 2^32). */
export function vnodePoint(name: string, i: number): number {
  return farmhash.fingerprint32(vnodeId(name, i));
}

/**
 * Mixes two 32-bit values into one (murmur3's finaliser over a combination). Used for
 * rendezvous scores, where hashing a fresh string per (member, shard) pair would cost ~10x more.
 */
export function mix32(a: number, b: number): number {
  return fmix32((a ^ Math.imul(b, 0x9e3779b1)) >>> 0);
}

/** Largest weight honoured; a remote tag must not be able to make one member own 10^6 points. */
export const MAX_WEIGHT = 100;

/**
 * Reads the `weight` tag as a relative capacity (1 = normal). Tags are remote input, so a bad
 * value never throws: missing, unparsable, non-finite or non-positive means 1; above
 * {@link MAX_WEIGHT} is clamped.
 */
export function weightOf(tags: Readonly<Record<string, string>> | undefined): number {
  const raw = tags?.weight;
  if (raw === undefined) return 1;
  const w = Number(raw);
  if (!Number.isFinite(w) || w <= 0) return 1;
  return Math.min(w, MAX_WEIGHT);
}

/** Reads the `zone` tag; empty or missing means "no zone" (never conflicts with anyone). */
export function zoneOf(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  const z = tags?.zone;
  return z === undefined || z === '' ? undefined : z;
}
