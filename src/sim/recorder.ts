/**
 * Time series of a simulation run, for charts (`phantom simulate --report`): how each piece of
 * news (a join, a failure, a leave) spread through the agents, and the load over time. It only
 * listens: it subscribes to `Simulation.onEvent` and samples the agents' send counters each
 * virtual `sampleEveryMs` through `sim.at`, so a run with a recorder follows the same trace as
 * one without (the samples read state and draw no random numbers).
 *
 * When a piece of news begins:
 * - a failure: at the kill (from the run's detection measures);
 * - a leave: when the leaving agent marks itself left, else its first `left` event;
 * - a join: when the first agent hears of the new member (a few ms after its start).
 * Who knows it: each agent's first `join` / `failed` / `left` event about the subject from then on.
 * Shares are over the agents other than the subject that are running at the end of the run.
 */
import type { MemberEvent } from '../core/types.js';
import type { Detection } from './measures.js';
import type { Simulation } from './simulation.js';
import type { CoordinateAccuracy } from './zones.js';

/** Kinds of news whose spread is charted. */
export type NewsKind = 'join' | 'failure' | 'leave';

/** How one piece of news spread. */
export interface NewsCurve {
  readonly kind: NewsKind;
  /** The member the news is about. */
  readonly subject: string;
  /** Virtual time (ms) the news began. */
  readonly startMs: number;
  /** Agents it could reach: those other than the subject running at the end. */
  readonly population: number;
  /** When each agent of the population learned it, in ms since startMs, ascending. */
  readonly learnedMs: readonly number[];
}

/** Load over one sampling interval, averaged over the agents running at its end. */
export interface LoadSample {
  /** Virtual time (ms) at the end of the interval. */
  readonly atMs: number;
  readonly agents: number;
  readonly msgsPerAgentPerSec: number;
  readonly bytesPerAgentPerSec: number;
}

/** Everything a chart of a run needs, as plain data (JSON-safe). */
export interface SimSeries {
  readonly nodes: number;
  readonly seed: number;
  readonly profile: string;
  readonly durationMs: number;
  readonly news: readonly NewsCurve[];
  readonly detection: readonly Detection[];
  readonly load: readonly LoadSample[];
  /** Accuracy of the network coordinates over time (runs with zones only). */
  readonly coordinates?: readonly CoordinateAccuracy[];
}

export interface RecorderOptions {
  /** Virtual ms between load samples; default 1000. */
  readonly sampleEveryMs?: number;
}

interface Sighting {
  readonly observer: string;
  readonly atMs: number;
}

const NEWS_OF: Partial<Record<MemberEvent['type'], NewsKind>> = { join: 'join', failed: 'failure', left: 'leave' };

/** Records a simulation's time series from the moment it is created; read them with series(). */
export class Recorder {
  private readonly sightings = new Map<string, Sighting[]>();
  private readonly load: LoadSample[] = [];
  private readonly last = new Map<number, { driver: unknown; messages: number; bytes: number }>();
  private lastSampleAt: number;
  private readonly everyMs: number;

  constructor(
    private readonly sim: Simulation,
    opts: RecorderOptions = {},
  ) {
    this.everyMs = opts.sampleEveryMs ?? 1000;
    if (!(this.everyMs > 0)) throw new RangeError(`sampleEveryMs must be > 0, got ${this.everyMs}`);
    this.lastSampleAt = sim.now;
    sim.onEvent((observer, e, now) => this.onEvent(observer, e, now));
    this.schedule();
  }

  private onEvent(observer: string, e: MemberEvent, now: number): void {
    const kind = NEWS_OF[e.type];
    if (kind === undefined) return;
    const key = `${kind}\u0000${e.member.name}`;
    let list = this.sightings.get(key);
    if (!list) this.sightings.set(key, (list = []));
    list.push({ observer, atMs: now });
  }

  private schedule(): void {
    this.sim.at(this.lastSampleAt + this.everyMs, () => {
      this.sample();
      this.schedule();
    });
  }

  /** Sums what each running agent sent since the last sample; a restarted agent counts from 0. */
  private sample(): void {
    const now = this.sim.now;
    const secs = (now - this.lastSampleAt) / 1000;
    this.lastSampleAt = now;
    let messages = 0;
    let bytes = 0;
    const running = this.sim.running();
    const seen = new Set<number>();
    for (const i of running) {
      const d = this.sim.agent(i);
      const prev = this.last.get(i);
      const same = prev !== undefined && prev.driver === d;
      messages += d.stats.messagesOut - (same ? prev.messages : 0);
      bytes += d.stats.bytesOut - (same ? prev.bytes : 0);
      this.last.set(i, { driver: d, messages: d.stats.messagesOut, bytes: d.stats.bytesOut });
      seen.add(i);
    }
    for (const i of [...this.last.keys()]) if (!seen.has(i)) this.last.delete(i);
    const n = Math.max(1, running.length);
    const per = (x: number): number => Math.round((x / n / Math.max(1e-9, secs)) * 100) / 100;
    this.load.push({ atMs: now, agents: running.length, msgsPerAgentPerSec: per(messages), bytesPerAgentPerSec: per(bytes) });
  }

  /** The series so far. Shares are computed against the agents running now. */
  series(): SimSeries {
    const report = this.sim.report();
    const running = new Set(this.sim.running().map((i) => this.sim.name(i)));
    const killedAt = new Map(report.detection.map((d) => [d.node, d.killedAtMs]));
    const news: NewsCurve[] = [];
    for (const [key, list] of this.sightings) {
      const [kind, subject] = key.split('\u0000') as [NewsKind, string];
      let start: number | undefined;
      if (kind === 'failure') start = killedAt.get(subject);
      else if (kind === 'leave') start = (list.find((s) => s.observer === subject) ?? list[0])?.atMs;
      else start = list[0]?.atMs;
      // A failure verdict about an agent that was never killed is a false positive, not news.
      if (start === undefined) continue;
      const first = new Map<string, number>();
      for (const s of list) {
        if (s.atMs < start || s.observer === subject || !running.has(s.observer) || first.has(s.observer)) continue;
        first.set(s.observer, s.atMs - start);
      }
      const learnedMs = [...first.values()].sort((a, b) => a - b);
      news.push({ kind, subject, startMs: start, population: running.size - (running.has(subject) ? 1 : 0), learnedMs });
    }
    news.sort((a, b) => a.startMs - b.startMs || a.subject.localeCompare(b.subject, 'en', { numeric: true }));
    return {
      nodes: report.nodes,
      seed: report.seed,
      profile: report.profile,
      durationMs: report.durationMs,
      news,
      detection: report.detection,
      load: [...this.load],
    };
  }
}
