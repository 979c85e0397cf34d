/**
 * Seeded pseudo-random numbers (sfc32, seeded through splitmix32): fast, 128 bits of state, and
 * the same sequence on every platform, so a simulation seed replays a run exactly.
 */
import type { Random } from '../core/types.js';

export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return n <= 1 ? 0 : Math.floor(this.next() * n);
  }

  /** A child generator with its own stream, e.g. one per simulated agent. */
  fork(salt: number): SeededRandom {
    return new SeededRandom((this.u32() ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

/**
 * mulberry32 with its state in a typed array: draws allocate nothing (a uint32 above 2^30 held in
 * a variable, or returned from a call V8 did not inline, is boxed into a fresh heap number), for
 * loops that must not allocate, such as the balancer's picks in its tests and benchmark.
 */
export function mulberry32(seed: number): Random {
  const s = new Uint32Array([seed, 0]);
  const step = (): void => {
    s[0] = s[0]! + 0x6d2b79f5;
    let t = s[0]!;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    s[1] = t ^ (t >>> 14);
  };
  return {
    next: () => {
      step();
      return s[1]! / 4294967296;
    },
    int: (n: number) => {
      step();
      return Math.floor((s[1]! / 4294967296) * n);
    },
  };
}
