/**
 * The host's main thread, watched from the agent's worker. The main thread adds 1 to a shared
 * counter every `beatMs` (a timer that keeps nothing alive); the worker reads it as often. When
 * the counter has not moved for longer than `busyAfterMs` the main thread is busy (a long sort,
 * a compaction step, a long GC): the agent keeps answering probes, and tells others to route
 * around this member (its health tag) without anyone declaring it dead. Once the main thread has
 * run steadily for `busyAfterMs` again, the member is ok again; the wait keeps a host that blocks
 * and runs in quick turns from flapping its tag (each change is a new incarnation to gossip).
 */

/** How the host's main thread fared, when the agent runs in a worker (stats and /metrics). */
export interface MainThreadStats {
  /** True while the main thread has not run for longer than the busy threshold. */
  readonly busy: boolean;
  /** Times it turned busy since start. */
  readonly busySpells: number;
  /** Longest time seen without the main thread running (ms). */
  readonly longestStallMs: number;
  /** The threshold in force (ms). */
  readonly busyAfterMs: number;
}

/** How often the main thread beats, for a threshold: a quarter of it, within [10, 250] ms. */
export function beatIntervalMs(busyAfterMs: number): number {
  return Math.min(250, Math.max(10, Math.floor(busyAfterMs / 4)));
}

/** Main-thread side: beats the shared counter while the main thread runs. */
export class MainThreadBeat {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly timer: NodeJS.Timeout;

  constructor(beatMs: number) {
    const counter = new Int32Array(this.buffer);
    this.timer = setInterval(() => Atomics.add(counter, 0, 1), beatMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Worker side: busy or ok from the counter's readings. Time is passed in, so it is testable. */
export class HostWatch {
  private lastBeat: number;
  private lastBeatAt: number;
  private busy = false;
  private recoveringSince: number | undefined;
  private spells = 0;
  private longest = 0;

  /** Start from the counter's value `beat` read at `now`. */
  constructor(
    readonly busyAfterMs: number,
    beat: number,
    now: number,
  ) {
    this.lastBeat = beat;
    this.lastBeatAt = now;
  }

  /** One reading of the counter at `now` (ms); returns the new verdict when it changed. */
  sample(beat: number, now: number): 'busy' | 'ok' | undefined {
    if (beat !== this.lastBeat) {
      this.longest = Math.max(this.longest, now - this.lastBeatAt);
      this.lastBeat = beat;
      this.lastBeatAt = now;
      if (!this.busy) return undefined;
      this.recoveringSince ??= now;
      if (now - this.recoveringSince < this.busyAfterMs) return undefined;
      this.busy = false;
      this.recoveringSince = undefined;
      return 'ok';
    }
    const silentMs = now - this.lastBeatAt;
    this.longest = Math.max(this.longest, silentMs);
    if (silentMs <= this.busyAfterMs) return undefined;
    this.recoveringSince = undefined;
    if (this.busy) return undefined;
    this.busy = true;
    this.spells++;
    return 'busy';
  }

  stats(): MainThreadStats {
    return { busy: this.busy, busySpells: this.spells, longestStallMs: Math.round(this.longest), busyAfterMs: this.busyAfterMs };
  }
}
