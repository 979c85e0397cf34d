/**
 * The ring's sorted point arrays and the three operations on them: search, merge a member's
 * points in, cut them out. Pure functions over `Uint32Array`s: the arrays are replaced, never
 * mutated, which is what makes a ring snapshot free (see hash-ring.ts).
 */

/** A ring's points (sorted ascending) and the owner slot of each, parallel. */
export interface PointArrays {
  readonly points: Uint32Array;
  readonly owners: Uint32Array;
}

/** Index of the first point >= hash (points.length when none). */
export function lowerBound(points: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges `mine` (sorted points of one member, owner `slot`) into the arrays: a binary search per
 * new point and block copies between them (typed-array `set` is a memcpy), so a join at
 * 1000 × 256 copies 2 MB once instead of comparing 256k elements one by one. An equal point of
 * another member stays first while `before(thatSlot)` says its name sorts first.
 */
export function mergePoints(arrays: PointArrays, mine: Uint32Array, slot: number, before: (other: number) => boolean): PointArrays {
  const { points, owners } = arrays;
  const count = mine.length;
  const np = new Uint32Array(points.length + count);
  const no = new Uint32Array(points.length + count);
  let from = 0;
  let to = 0;
  for (let k = 0; k < count; k++) {
    const b = mine[k]!;
    let at = Math.max(from, lowerBound(points, b));
    while (at < points.length && points[at] === b && before(owners[at]!)) at++;
    np.set(points.subarray(from, at), to);
    no.set(owners.subarray(from, at), to);
    to += at - from;
    from = at;
    np[to] = b;
    no[to] = slot;
    to++;
  }
  np.set(points.subarray(from), to);
  no.set(owners.subarray(from), to);
  return { points: np, owners: no };
}

/**
 * Cuts the points of owner `slot` out, given their values `mine` (recomputed from the member's
 * name): ~count binary searches and count + 1 block copies, instead of a scan over every point.
 */
export function cutPoints(arrays: PointArrays, mine: Uint32Array, slot: number): PointArrays {
  const { points, owners } = arrays;
  const at = new Uint32Array(mine.length);
  for (let k = 0; k < mine.length; k++) {
    let i = lowerBound(points, mine[k]!);
    while (owners[i] !== slot) i++;
    at[k] = i;
  }
  at.sort();
  const keep = points.length - mine.length;
  const np = new Uint32Array(keep);
  const no = new Uint32Array(keep);
  let from = 0;
  let to = 0;
  for (let k = 0; k <= at.length; k++) {
    const end = k < at.length ? at[k]! : points.length;
    np.set(points.subarray(from, end), to);
    no.set(owners.subarray(from, end), to);
    to += end - from;
    from = end + 1;
  }
  return { points: np, owners: no };
}

/**
 * A radix index over the points: entry b is the first point whose top `bits` bits are >= b, so a
 * search reads one entry and binary-searches a bucket of ~2 points instead of the whole array.
 * Why: at 1000 × 256 the points are 1 MB and a plain binary search takes ~8 cache misses, which
 * cost more than the key's hash (bench/RING.md). Bits grow with the ring, at most 2^16 entries.
 */
export function radixIndex(points: Uint32Array): { index: Uint32Array; shift: number } {
  const shift = radixShift(points.length);
  const bits = 32 - shift;
  const buckets = 2 ** bits;
  const index = new Uint32Array(buckets + 1);
  let b = 0;
  for (let i = 0; i < points.length; i++) {
    const top = points[i]! >>> shift;
    while (b <= top) index[b++] = i;
  }
  while (b <= buckets) index[b++] = points.length;
  return { index, shift };
}

/** The shift `radixIndex` uses for a ring of `count` points: about 2 points per bucket. */
export function radixShift(count: number): number {
  let bits = 1;
  while (bits < 16 && 2 ** (bits + 1) <= count) bits++;
  return 32 - bits;
}

/**
 * Updates a radix index in place after the sorted point values `changed` were inserted
 * (`sign` 1) or removed (`sign` -1): entry b moves by the number of changed points below its
 * bucket. O(buckets + changed), a quarter of a rebuild at 1000 × 256, which keeps a join ~1 ms.
 */
export function shiftIndex(index: Uint32Array, shift: number, changed: Uint32Array, sign: 1 | -1): void {
  const width = 2 ** shift;
  let j = 0;
  for (let b = 0; b < index.length; b++) {
    const floor = b * width;
    while (j < changed.length && changed[j]! < floor) j++;
    index[b] = index[b]! + sign * j;
  }
}
