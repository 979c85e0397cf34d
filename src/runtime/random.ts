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

/** Randomness for production agents: seeded from the OS once, then the same fast generator. */
export function osSeededRandom(seed32: number): Random {
  return new SeededRandom(seed32);
}
