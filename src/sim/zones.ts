/**
 * A multi-zone topology for the simulator, and how well the agents' network coordinates estimate
 * it. Zones: agent i is in zone i mod `zones`; within a zone every round trip takes `intraRttMs`,
 * between zones a and b it takes a fixed value spread evenly over `interRttMs` (zone pair by
 * zone pair), so the true RTT of every pair is known and the estimates can be scored.
 */
import { estimateRttMs, type Coordinate } from '../core/coordinate.js';
import type { Simulation } from './simulation.js';

export interface ZoneTopology {
  readonly zones: number;
  /** Round trip within a zone (ms). Default 1. */
  readonly intraRttMs?: number;
  /** Round trips between zones run from the first to the second (ms). Default [20, 80]. */
  readonly interRttMs?: readonly [number, number];
  /** Each one-way delay varies uniformly by ± this share of itself. Default 0.05. */
  readonly jitterShare?: number;
}

/** The true RTT (ms) between agents i and j in this topology, and whether they share a zone. */
export interface TrueRtt {
  rtt(i: number, j: number): number;
  sameZone(i: number, j: number): boolean;
}

/** Set the sim's links for the topology (for the agents it has now) and return the true RTTs. */
export function applyZones(sim: Simulation, t: ZoneTopology): TrueRtt {
  const intra = t.intraRttMs ?? 1;
  const [lo, hi] = t.interRttMs ?? [20, 80];
  const share = t.jitterShare ?? 0.05;
  const z = t.zones;
  const members: number[][] = Array.from({ length: z }, () => []);
  for (let i = 0; i < sim.size; i++) members[i % z]!.push(i);
  const pairs: [number, number][] = [];
  for (let a = 0; a < z; a++) for (let b = a + 1; b < z; b++) pairs.push([a, b]);
  const inter = new Map<string, number>();
  for (const [k, [a, b]] of pairs.entries()) inter.set(`${a}:${b}`, pairs.length === 1 ? lo : lo + ((hi - lo) * k) / (pairs.length - 1));
  const rttOfZones = (a: number, b: number): number => (a === b ? intra : inter.get(`${Math.min(a, b)}:${Math.max(a, b)}`)!);
  for (let a = 0; a < z; a++) {
    for (let b = 0; b < z; b++) {
      const oneWay = rttOfZones(a, b) / 2;
      sim.link(members[a]!, members[b]!, { latencyMs: oneWay, jitterMs: oneWay * share });
    }
  }
  return { rtt: (i, j) => rttOfZones(i % z, j % z), sameZone: (i, j) => i % z === j % z };
}

/** Relative error of the estimated RTT over every pair of running agents, as medians. */
export interface CoordinateAccuracy {
  readonly atMs: number;
  /** Median over all pairs of |estimate - true| / true. */
  readonly median: number;
  /** The same within a zone and between zones. */
  readonly intra: number;
  readonly inter: number;
  /** 90th percentile over all pairs. */
  readonly p90: number;
  /**
   * Share of agents whose nearest peer by estimate is in their own zone (what `lookup --near`
   * and the balancer's prior rely on): 1 when every agent ranks a zone mate first.
   */
  readonly nearestInZone: number;
  readonly pairs: number;
}

/**
 * Score every pair of running agents by their own coordinates (what each publishes), the
 * measure of the Vivaldi papers. Undefined when coordinates are off.
 */
export function coordinateAccuracy(sim: Simulation, truth: TrueRtt): CoordinateAccuracy | undefined {
  const own: { i: number; c: Coordinate }[] = [];
  for (const i of sim.running()) {
    const c = sim.agent(i).core.coordinate();
    if (c) own.push({ i, c });
  }
  if (own.length < 2) return undefined;
  const all: number[] = [];
  const intra: number[] = [];
  const inter: number[] = [];
  const nearest = own.map(() => ({ d: Infinity, j: -1 }));
  for (let a = 0; a < own.length; a++) {
    for (let b = a + 1; b < own.length; b++) {
      const x = own[a]!;
      const y = own[b]!;
      const t = truth.rtt(x.i, y.i);
      const est = estimateRttMs(x.c, y.c);
      all.push(Math.abs(est - t) / t);
      (truth.sameZone(x.i, y.i) ? intra : inter).push(Math.abs(est - t) / t);
      if (est < nearest[a]!.d) nearest[a] = { d: est, j: y.i };
      if (est < nearest[b]!.d) nearest[b] = { d: est, j: x.i };
    }
  }
  const inZone = nearest.filter((n, a) => n.j >= 0 && truth.sameZone(own[a]!.i, n.j)).length;
  return {
    atMs: sim.now,
    median: quantile(all, 0.5),
    intra: quantile(intra, 0.5),
    inter: quantile(inter, 0.5),
    p90: quantile(all, 0.9),
    nearestInZone: inZone / own.length,
    pairs: all.length,
  };
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Samples the accuracy every `everyMs` of virtual time (reads state only: the trace is unchanged). */
export class CoordinateSampler {
  readonly samples: CoordinateAccuracy[] = [];
  constructor(
    private readonly sim: Simulation,
    private readonly truth: TrueRtt,
    private readonly everyMs = 5000,
  ) {
    this.schedule(sim.now + everyMs);
  }

  private schedule(at: number): void {
    this.sim.at(at, () => {
      const a = coordinateAccuracy(this.sim, this.truth);
      if (a) this.samples.push(a);
      this.schedule(at + this.everyMs);
    });
  }
}
