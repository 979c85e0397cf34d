/** Small pure hashes for the core (no native module, no node: import). */

/** 32-bit FNV-1a; pure and stable, enough to spread ranks evenly. */
export function fnv1a32(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche: FNV alone leaves the high bits of similar strings alike.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
