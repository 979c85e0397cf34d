/**
 * A fixed-bucket histogram in the Prometheus sense, kept by the one observer (STYLE.md: one owner
 * per counter) and read by /metrics and stats. Observing is a short loop over a dozen bounds and
 * allocates nothing.
 */

/** What a histogram holds at one moment. Bounds in the unit of the observations (seconds here). */
export interface HistogramSnapshot {
  /** Upper bounds of the buckets, ascending; a last +Inf bucket is implied. */
  readonly bounds: readonly number[];
  /** Observations per bucket (not cumulative), one more entry than `bounds` (the +Inf bucket). */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export class Histogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error('histogram bounds must ascend');
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    return { bounds: this.bounds, counts: Array.from(this.counts), sum: this.sum, count: this.count };
  }
}

/** Probe round trips on a LAN are sub-millisecond to a few ms; a WAN's run to hundreds. */
export const PROBE_RTT_BOUNDS_S: readonly number[] = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
/** The worst event-loop delay of each probe interval: sampled at 50 ms, so finer bounds would lie. */
export const LOOP_DELAY_BOUNDS_S: readonly number[] = Object.freeze([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
