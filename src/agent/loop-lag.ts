/**
 * Samples this process's event-loop delay with perf_hooks.monitorEventLoopDelay and reports the
 * worst delay of each window. A Node agent that stalls (GC, a busy handler, a starved CPU) is
 * the slow one; feeding that to the core's awareness keeps it from accusing healthy members.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export class LoopLagMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;

  /** Report the worst delay (ms) every `windowMs`. */
  constructor(windowMs: number, report: (worstMs: number) => void) {
    // 50 ms sees the stalls that matter (over half a probe timeout, 250 ms on lan) and wakes an
    // idle agent 20 times a second: at 20 ms it doubled an idle agent's CPU (bench/SERF.md).
    this.histogram = monitorEventLoopDelay({ resolution: 50 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      const worstMs = this.histogram.max / 1e6;
      this.histogram.reset();
      report(worstMs);
    }, windowMs);
    // Sampling must never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
