/**
 * A binary min-heap of timed events. Ties break by insertion order, so the simulation is
 * deterministic: the same inputs always run in the same order.
 */
export interface Timed {
  time: number;
  seq: number;
}

/** Omit that keeps a union a union. */
export type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

export class EventQueue<T extends Timed> {
  private heap: T[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(e: WithoutSeq<T>): void {
    const item = e as unknown as T;
    item.seq = this.counter++;
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0]!.time : Infinity;
  }

  pop(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
