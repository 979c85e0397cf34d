/**
 * Network coordinates (Vivaldi, Dabek et al. 2004, with the height vectors of that paper and the
 * adjustment term of Ledlie et al. 2007, as HashiCorp Serf uses them). Each agent places itself
 * in a small Euclidean space plus a "height" (the access-link delay every path to it pays), so
 * that the distance between two coordinates estimates their round-trip time.
 *
 * Units are milliseconds throughout. Pure math: no clock, and randomness only through the port.
 */
import * as M from './messages.js';
import type { Random } from './types.js';

export interface Coordinate {
  /** Position in the Euclidean part of the space (ms per axis). */
  readonly vec: readonly number[];
  /** The access-link share of every RTT to this agent (ms, ≥ HEIGHT_MIN_MS). */
  readonly height: number;
  /** How far this agent trusts its own position: a relative error, 0 (sure) .. ERROR_MAX (lost). */
  readonly error: number;
  /** A per-agent offset (ms) that absorbs what the Euclidean space cannot express. */
  readonly adjustment: number;
}

/** Tuning of the Vivaldi update; the defaults are the paper's and Serf's. */
export interface VivaldiTuning {
  readonly dimensions: number;
  /** An agent starts, and returns after a reset, with this error. */
  readonly errorMax: number;
  /** Weight of a new sample in the error estimate (the paper's c_e). */
  readonly ce: number;
  /** Step size of a move (the paper's c_c). */
  readonly cc: number;
  /** Samples in the adjustment term's window. */
  readonly adjustmentWindow: number;
  /** Samples kept per peer; the median of them is used, so one delayed ack does not jolt us. */
  readonly latencyFilter: number;
  /** Gravity toward the origin, so the whole cluster does not drift away (ms). */
  readonly gravityRhoMs: number;
}

export const DEFAULT_TUNING: VivaldiTuning = Object.freeze({
  dimensions: 8,
  errorMax: 1.5,
  ce: 0.25,
  cc: 0.25,
  adjustmentWindow: 20,
  latencyFilter: 3,
  gravityRhoMs: 150,
});

/** Smallest height (ms): every path pays something. */
export const HEIGHT_MIN_MS = 0.01;
/** Below this a length is zero. */
const ZERO = 1e-6;
/** Samples above this RTT (ms) are refused as nonsense (a stalled process, not a path). */
export const MAX_RTT_MS = 10_000;

export function origin(dimensions: number, errorMax = DEFAULT_TUNING.errorMax): Coordinate {
  return { vec: new Array<number>(dimensions).fill(0), height: HEIGHT_MIN_MS, error: errorMax, adjustment: 0 };
}

export function compatible(a: Coordinate, b: Coordinate): boolean {
  return a.vec.length === b.vec.length;
}

function euclid(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Distance without the adjustment terms: the quantity the spring force works on. */
export function rawDistanceMs(a: Coordinate, b: Coordinate): number {
  return euclid(a.vec, b.vec) + a.height + b.height;
}

/**
 * Estimated RTT between two coordinates (ms). The adjustment terms are used only when they keep
 * the estimate positive, as in Serf.
 */
export function estimateRttMs(a: Coordinate, b: Coordinate): number {
  const raw = rawDistanceMs(a, b);
  const adjusted = raw + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/** Every number finite, the height and error in range: what we accept from a peer. */
export function isSane(c: Coordinate): boolean {
  for (const x of c.vec) if (!Number.isFinite(x)) return false;
  return Number.isFinite(c.height) && c.height >= 0 && Number.isFinite(c.error) && c.error >= 0 && Number.isFinite(c.adjustment);
}

/**
 * Move `c` by `force` ms along the line from `other` to `c` (a negative force pulls toward it).
 * The height takes its share of the move: the spring between two agents runs through both
 * access links, so height is treated as one more axis whose component is the sum of heights.
 */
export function applyForce(c: Coordinate, force: number, other: Coordinate, random: Random): Coordinate {
  const n = c.vec.length;
  const diff = c.vec.map((x, i) => x - other.vec[i]!);
  let length = 0;
  for (const d of diff) length += d * d;
  length = Math.sqrt(length);
  let unit: number[];
  if (length > ZERO) unit = diff.map((d) => d / length);
  else {
    // Two agents in the same place: push apart in a random direction.
    unit = Array.from({ length: n }, () => random.next() - 0.5);
    const m = Math.sqrt(unit.reduce((s, x) => s + x * x, 0));
    unit = m > ZERO ? unit.map((x) => x / m) : unit.map((_, i) => (i === 0 ? 1 : 0));
  }
  const vec = c.vec.map((x, i) => x + unit[i]! * force);
  const height = length > ZERO ? Math.max(HEIGHT_MIN_MS, c.height + ((c.height + other.height) * force) / length) : c.height;
  return { vec, height, error: c.error, adjustment: c.adjustment };
}

// ---- on the wire ---------------------------------------------------------------------------

/** Wire unit of positions, heights and adjustments (ms): 10 µs, far below any LAN's jitter. */
export const COORD_UNIT_MS = 0.01;
/** Wire unit of the error term. */
export const COORD_ERROR_UNIT = 0.001;
/** Most axes a peer may send: the receiver allocates and loops over them. */
export const MAX_DIMENSIONS = 16;
/** Largest magnitude of a wire integer (in its unit): 10^9 × 10 µs = 10^4 s, far beyond any RTT. */
export const MAX_COORD_UNITS = 1e9;

const q = (ms: number): number => Math.max(-MAX_COORD_UNITS, Math.min(MAX_COORD_UNITS, Math.round(ms / COORD_UNIT_MS)));

/** Our coordinate as a companion message: integers only, so it packs in a few bytes per axis. */
export function coordToWire(c: Coordinate): M.Coord {
  return M.coord(c.vec.map(q), Math.max(1, q(c.height)), Math.min(MAX_COORD_UNITS, Math.round(c.error / COORD_ERROR_UNIT)), q(c.adjustment));
}

/** A validated companion (wire/validate.ts) back to milliseconds. */
export function coordFromWire(m: M.Coord): Coordinate {
  return { vec: m.vec.map((x) => x * COORD_UNIT_MS), height: m.height * COORD_UNIT_MS, error: m.error * COORD_ERROR_UNIT, adjustment: m.adj * COORD_UNIT_MS };
}

/**
 * `names` ordered by estimated RTT from `from` (nearest first). `self`, the asker's own name, is
 * at distance 0: an estimate of the distance to oneself is two heights plus adjustments, which on
 * a fast network can exceed a neighbour's. Names without a coordinate keep their relative order
 * after those with one; a missing `from` leaves the order as it was.
 */
export function byDistance(
  names: readonly string[],
  from: Coordinate | undefined,
  coordinateOf: (name: string) => Coordinate | undefined,
  self?: string,
): string[] {
  if (!from) return [...names];
  const ranked = names.map((name, i) => {
    const c = name === self ? from : coordinateOf(name);
    return { name, i, d: name === self ? 0 : c && compatible(c, from) ? estimateRttMs(from, c) : Infinity };
  });
  ranked.sort((a, b) => a.d - b.d || a.i - b.i);
  return ranked.map((r) => r.name);
}
