/**
 * The one seeded pseudo-random generator (sfc32, seeded through splitmix32): fast, 128 bits of
 * state, the same sequence on every platform, so a simulation seed replays a run exactly. It
 * lives in the core so the core can seed streams of its own (a node's Vivaldi coordinate), and
 * the runtime, the simulator, the tests and the benchmarks all use this one.
 *
 * Its state is a Uint32Array and a draw is computed where it is returned, so draws allocate
 * nothing (a uint32 above 2^30 held in an object field is boxed into a fresh heap number): the
 * balancer's picks are measured allocation-free with it (test/balancer/alloc.test.ts).
 */
import { fnv1a32 } from './hash.js';
import type { Random } from './types.js';

export class SeededRandom implements Random {
  /** a, b, c, d of sfc32, then a scratch word for the output. */
  private readonly s = new Uint32Array(5);

  constructor(seed: number) {
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = split();
    for (let i = 0; i < 12; i++) this.step();
  }

  /** A generator seeded from a string (FNV-1a of it), e.g. a node's name. */
  static fromString(seed: string): SeededRandom {
    return new SeededRandom(fnv1a32(seed));
  }

  /** Advance once; the output is left in s[4]. */
  private step(): void {
    const s = this.s;
    s[4] = s[0]! + s[1]! + s[3]!;
    s[3] = s[3]! + 1;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = s[2]! + (s[2]! << 3);
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) + s[4]!;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.step();
    return this.s[4]!;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.step();
    return this.s[4]! / 4294967296;
  }

  /** Uniform integer in [0, n); 0 for n <= 1. */
  int(n: number): number {
    if (n <= 1) return 0;
    this.step();
    return Math.floor((this.s[4]! / 4294967296) * n);
  }

  /** A child generator with its own stream, e.g. one per simulated agent or per purpose. */
  fork(salt: number): SeededRandom {
    return new SeededRandom((this.u32() ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

/** A Random for a part of the core that needs its own stream, so it does not shift the draws of the protocol's shared one. */
export function seededRandom(seed: string): Random {
  return SeededRandom.fromString(seed);
}
