/**
 * A small deterministic Random (mulberry32) seeded from a string, for parts of the core that need
 * their own stream so that they do not shift the draws of the protocol's shared Random.
 */
import { fnv1a32 } from './hash.js';
import type { Random } from './types.js';

export function seededRandom(seed: string): Random {
  let state = fnv1a32(seed) || 1;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}
