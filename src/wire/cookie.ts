/**
 * The keyed hash behind return-address cookies (core/return-check.ts): HMAC-SHA-256 of the
 * address and the epoch under a secret of this agent's own, cut to 32 bits. The secret never
 * leaves the process and is new at every start; a cookie is only good for a minute anyway.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { CookieHash } from '../core/return-check.js';

/** A cookie hash under `secret` (32 random bytes when omitted). */
export function createCookieHash(secret: Uint8Array = randomBytes(32)): CookieHash {
  const key = Buffer.from(secret);
  return (address, epoch) => createHmac('sha256', key).update(`${epoch}|${address}`).digest().readUInt32BE(0);
}
