/**
 * The name filter of a catch-up (issue 16): a Bloom filter of the names an agent holds, cut into
 * parts that each fit a datagram and each cover their own share of the name space, so the peer
 * answers each part on its own with the rows whose names it does not contain. A catch-up then
 * moves what is missing (plus about 0.2 % of false positives, asked again at once or left for
 * push-pull) instead of a whole table, of which a join burst moved 2.3 per agent, two thirds of
 * it old news.
 *
 * The hashes are the protocol: a = fnv1a32(name), b = fnv1a32(name, NAME_FILTER_SEED). A name
 * belongs to part floor(a × parts / 2^32) (unsalted, so that the answer to one part skips the
 * rows of the others with one multiplication each); salted per filter, h1 = fmix32(a ^ salt),
 * h2 = fmix32(b ^ salt), and its probes are bits floor(g_i × m / 2^32) of that part's m bits,
 * g_i = (h1 + i × h2) mod 2^32, i < k (double hashing, Kirsch and Mitzenmacher; a range
 * reduction by multiplication, because a remainder of a number past 2^31 is a slow float
 * operation in JavaScript). The salt is drawn afresh for every catch-up: unsalted, a
 * missing name that collides once collides in every later filter of the agent, and no catch-up
 * would ever bring it. Pure: no IO, no clock.
 */
import { fnv1a32 } from './hash.js';

export const NAME_FILTER_SEED = 0x5bd1e995;
/**
 * Bits per name and probes: about 0.2 % false positives (0.09 % at the optimum of 10 probes,
 * which costs two thirds more hashing on both sides for every name of every catch-up).
 */
export const FILTER_BITS_PER_NAME = 14;
export const FILTER_PROBES = 6;
/** Most parts (datagrams) of one filter: 256 parts of ~1 KB hold about 200,000 names. */
export const MAX_FILTER_PARTS = 256;
/** Most probes per name and bytes per part a peer may send. */
export const MAX_FILTER_PROBES = 16;
export const MAX_FILTER_BYTES = 16_384;

/** The two hashes of a name. */
export function nameHashes(name: string): [number, number] {
  return [fnv1a32(name), fnv1a32(name, NAME_FILTER_SEED)];
}

const TWO_32 = 4294967296;

/** The part a name belongs to, by its unsalted hash a. */
export function partOf(a: number, parts: number): number {
  return Math.floor((a * parts) / TWO_32);
}

/** How many parts, and bytes per part, for `names` names when a part may take `maxBytes`. */
export function filterLayout(names: number, maxBytes: number): { parts: number; bytes: number } {
  const totalBytes = Math.max(1, Math.ceil((names * FILTER_BITS_PER_NAME) / 8));
  const parts = Math.max(1, Math.ceil(totalBytes / maxBytes));
  return { parts, bytes: Math.min(maxBytes, Math.max(8, Math.ceil(totalBytes / parts))) };
}

/** Set a name's bits in its part's filter (h1, h2: the salted hashes). */
export function addName(bits: Uint8Array, k: number, h1: number, h2: number): void {
  const m = bits.length * 8;
  for (let i = 0; i < k; i++) {
    const bit = Math.floor((((h1 + Math.imul(i, h2)) >>> 0) * m) / TWO_32);
    bits[bit >>> 3]! |= 1 << (bit & 7);
  }
}

/** Might the filter hold the name? False means surely not. */
export function mayHold(bits: Uint8Array, k: number, h1: number, h2: number): boolean {
  const m = bits.length * 8;
  for (let i = 0; i < k; i++) {
    const bit = Math.floor((((h1 + Math.imul(i, h2)) >>> 0) * m) / TWO_32);
    if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}
