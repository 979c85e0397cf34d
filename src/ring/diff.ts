/**
 * Which key ranges changed owner between two versions of a ring.
 *
 * Both rings are step functions over the hash space: a hash belongs to the first point at or
 * after it. Walking the union of both point sets in order cuts the space into segments on which
 * neither ring changes owner; comparing the two owners per segment and merging neighbours gives
 * the moved ranges in O(points of both), with no re-hashing.
 */
import type { RingSnapshot } from './hash-ring.js';

/** Hash space upper bound (inclusive): points and key hashes are uint32. */
export const HASH_MAX = 0xffffffff;

/**
 * Keys whose hash lies in [start, end] (inclusive, uint32, start <= end; a range across zero is
 * reported as two) moved from one owner to another. `undefined` means "nobody" (empty ring).
 */
export interface RangeMove {
  readonly start: number;
  readonly end: number;
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/** Owner of the segment ending at `bound`: first point >= bound, from index `i` on. */
function ownerFrom(s: RingSnapshot, i: number): string | undefined {
  const len = s.points.length;
  if (len === 0) return undefined;
  return s.names[s.owners[i === len ? 0 : i]!];
}

/** The key ranges whose owner differs between `before` and `after`, in hash order. */
export function diffRings(before: RingSnapshot, after: RingSnapshot): RangeMove[] {
  const moves: RangeMove[] = [];
  const a = before.points;
  const b = after.points;
  let i = 0;
  let j = 0;
  let start = 0;
  const push = (end: number, from: string | undefined, to: string | undefined): void => {
    if (from !== to) {
      const last = moves[moves.length - 1];
      if (last !== undefined && last.end + 1 === start && last.from === from && last.to === to) {
        moves[moves.length - 1] = { start: last.start, end, from, to };
      } else {
        moves.push({ start, end, from, to });
      }
    }
    start = end + 1;
  };
  while (i < a.length || j < b.length) {
    const pa = i < a.length ? a[i]! : Infinity;
    const pb = j < b.length ? b[j]! : Infinity;
    const bound = Math.min(pa, pb);
    // Segment [start, bound]: both rings' owners are their first point >= bound.
    push(bound, ownerFrom(before, i), ownerFrom(after, j));
    while (i < a.length && a[i] === bound) i++;
    while (j < b.length && b[j] === bound) j++;
    if (bound === HASH_MAX) return moves;
  }
  // Tail past the last point wraps to each ring's first point.
  push(HASH_MAX, ownerFrom(before, 0), ownerFrom(after, 0));
  return moves;
}
