/** Small pure hashes for the core, the simulator and the tools (no native module, no node: import). */

/** The FNV-1a offset basis: the starting value of a running `fnv1a`. */
export const FNV_OFFSET = 0x811c9dc5;

/**
 * 32-bit FNV-1a of `s`, folded into the running value `h`: feeding strings one after another
 * gives the hash of their concatenation (the simulator's trace fingerprint is built this way).
 */
export function fnv1a(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const digits = new Uint8Array(16);

/** `fnv1a(h, String(n))` for a non-negative safe integer `n`, without making the string. */
export function fnv1aDecimal(h: number, n: number): number {
  // From the right: `n % 10` and `(n - d) / 10` are exact for every safe integer.
  let k = 0;
  do {
    const d = n % 10;
    digits[k++] = d;
    n = (n - d) / 10;
  } while (n > 0);
  while (k > 0) {
    h ^= 48 + digits[--k]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 32-bit FNV-1a with a final avalanche; pure and stable, enough to spread ranks evenly. */
export function fnv1a32(s: string, h = FNV_OFFSET): number {
  return avalanche(fnv1a(h, s));
}

/** The final step of fnv1a32: FNV alone leaves the high bits of similar strings alike. */
export function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Murmur3's 32-bit finalizer: spreads the bits of a 32-bit value over all 32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
