/**
 * A stateless check that a requester receives at the address its packets come from, before we
 * send it more bytes than it sent us (SYN cookies, the same idea): we answer an unproven request
 * with a small cookie, a keyed hash of its address and a coarse time, and serve it once it echoes
 * the cookie back. Nothing is stored per requester, so a flood of forged sources costs no memory.
 *
 * The keyed hash is a port (an HMAC with a per-agent secret in agents, see wire/cookie.ts):
 * the core holds no key and draws no randomness of its own.
 */
import { fnv1a32 } from './hash.js';
import type { Address, Random } from './types.js';

/** A keyed hash of an address and an epoch number, as an unsigned 32-bit integer. */
export type CookieHash = (address: Address, epoch: number) => number;

/** A cookie is good for the epoch it was issued in and the next one: 30 to 60 s. */
export const COOKIE_EPOCH_MS = 30_000;

export class ReturnCheck {
  constructor(private readonly hash: CookieHash) {}

  issue(address: Address, now: number): number {
    return this.hash(address, Math.floor(now / COOKIE_EPOCH_MS)) >>> 0;
  }

  valid(address: Address, cookie: number, now: number): boolean {
    const epoch = Math.floor(now / COOKIE_EPOCH_MS);
    return this.hash(address, epoch) >>> 0 === cookie || this.hash(address, epoch - 1) >>> 0 === cookie;
  }
}

/**
 * A cookie hash keyed from the core's Random: for unit tests of the core alone. FNV is not a
 * MAC, so agents and the simulator pass an HMAC (wire/cookie.ts) instead.
 */
export function weakCookieHash(random: Random): CookieHash {
  const key = `${random.int(0x7fffffff)}:${random.int(0x7fffffff)}`;
  return (address, epoch) => fnv1a32(`${key}|${address}|${epoch}`);
}
