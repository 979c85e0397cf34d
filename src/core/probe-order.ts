/**
 * Randomized round-robin probe order (SWIM §4.3): every member is probed once per pass over a
 * shuffled list, which bounds the worst-case time to first detection; a newcomer goes in at a
 * random place of the rest of the pass. Removal is lazy: a member that is no longer probeable is
 * skipped, and each reshuffle rebuilds the list from the table.
 */
import type { Random } from './types.js';

export class ProbeOrder {
  private list: string[] = [];
  private index = 0;

  constructor(private readonly random: Random) {}

  /** Names in the current pass (may include members no longer probeable). */
  get names(): readonly string[] {
    return this.list;
  }

  /** Put a new member at a random place among those not yet probed in this pass. */
  insert(name: string): void {
    const j = this.index + this.random.int(this.list.length - this.index + 1);
    if (j === this.list.length) this.list.push(name);
    else {
      this.list.push(this.list[j]!);
      this.list[j] = name;
    }
  }

  /**
   * The next member to probe, or undefined when none is probeable. `rebuild` lists the members
   * for a new pass; it is called when the pass ends.
   */
  next(probeable: (name: string) => boolean, rebuild: () => string[]): string | undefined {
    for (let guard = 0; guard < 2; guard++) {
      while (this.index < this.list.length) {
        const name = this.list[this.index++]!;
        if (probeable(name)) return name;
      }
      this.list = rebuild();
      shuffle(this.list, this.random);
      this.index = 0;
    }
    return undefined;
  }

  /** Up to k distinct names passing `accept`, sampled at random from the current pass list. */
  sample(k: number, accept: (name: string) => boolean, out: string[] = []): string[] {
    const n = this.list.length;
    if (k <= 0 || n === 0) return out;
    const attempts = Math.min(n * 2, k * 4 + 8);
    for (let a = 0; a < attempts && out.length < k; a++) {
      const name = this.list[this.random.int(n)]!;
      if (accept(name) && !out.includes(name)) out.push(name);
    }
    if (out.length < k && n <= 64) {
      // Small tables: a miss-prone random draw may leave eligible members out; sweep once.
      for (const name of this.list) if (out.length < k && accept(name) && !out.includes(name)) out.push(name);
    }
    return out;
  }
}

export function shuffle<T>(a: T[], random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
