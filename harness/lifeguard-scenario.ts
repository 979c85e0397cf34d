/**
 * The Lifeguard benchmark scenario: N agents, 5% loss on every link, 4 degraded agents that
 * stall for 0.5–3 s, a stall starting every 2–5 s at random (alive all along), and 3 healthy agents killed
 * during the run. Shared by bench/lifeguard.ts and the tests.
 */
import { Simulation } from '../src/sim/index.js';
import type { ProtocolConfig } from '../src/config.js';
import { SeededRandom } from '../src/runtime/random.js';

export interface LifeguardRun {
  falsePositives: number;
  /** False positives whose subject is not a degraded agent. */
  falsePositivesOnHealthy: number;
  /** Dead verdicts (events) on live agents. */
  falseVerdicts: number;
  suspicions: number;
  firstDeadMs: number[];
  allDeadMs: number[];
  msgsPerNodePerSec: number;
  bytesPerNodePerSec: number;
}

export function runLifeguardScenario(opts: {
  nodes: number;
  seed: number;
  minutes: number;
  config: Partial<ProtocolConfig>;
  degraded?: number;
  loss?: number;
}): LifeguardRun {
  const degradedCount = opts.degraded ?? 4;
  const sim = new Simulation({ nodes: opts.nodes, seed: opts.seed, loss: opts.loss ?? 0.05, config: opts.config });
  const rng = new SeededRandom(opts.seed * 31 + 7);
  sim.joinAll();
  sim.runUntilConverged(60_000);
  sim.markSteady();
  const start = sim.now;
  const end = start + opts.minutes * 60_000;
  // Degraded agents: the last `degradedCount` indices; the victims come from the middle.
  const degraded = Array.from({ length: degradedCount }, (_, i) => opts.nodes - 1 - i);
  for (const d of degraded) {
    const stall = (t: number): void => {
      if (t >= end) return;
      sim.at(t, () => {
        sim.pause(d, 500 + rng.int(2501));
        stall(t + 2000 + rng.int(3001));
      });
    };
    stall(start + rng.int(3000));
  }
  const victims = [1, 2, 3].map((k) => Math.floor((k * (opts.nodes - degradedCount)) / 4));
  victims.forEach((v, k) => sim.at(start + ((k + 1) * (end - start)) / 4, () => sim.kill(v)));
  let suspicions = 0;
  sim.onEvent((_o, e) => {
    if (e.type === 'suspect') suspicions++;
  });
  sim.run(end - sim.now);
  const r = sim.report();
  const degradedNames = new Set(degraded.map((d) => sim.name(d)));
  const fpSubjects = new Set(r.falsePositiveEvents.map((f) => f.subject));
  return {
    falsePositives: fpSubjects.size,
    falsePositivesOnHealthy: [...fpSubjects].filter((s) => !degradedNames.has(s)).length,
    falseVerdicts: r.falsePositiveEvents.length,
    suspicions,
    firstDeadMs: r.detection.map((d) => d.firstDeadMs ?? Infinity),
    allDeadMs: r.detection.map((d) => d.allDeadMs ?? Infinity),
    msgsPerNodePerSec: r.msgsPerNodePerSec,
    bytesPerNodePerSec: r.bytesPerNodePerSec,
  };
}

export type RapidFault = 'egress-loss-80' | 'ingress-flip-flop';

export interface RapidRun {
  /** Per faulty member: the most alive<->dead changes any healthy observer saw, and the median. */
  transitionsMax: number;
  transitionsMedian: number;
  /** Dead verdicts on healthy members (never wanted). */
  falsePositivesOnHealthy: number;
  msgsPerNodePerSec: number;
  bytesPerNodePerSec: number;
}

/**
 * The Rapid paper's one-way faults (USENIX ATC 2018, §2 and §7) on 1% (at least one) of the
 * members: 80% of their outgoing packets lost, or their incoming packets cut for 20 s and
 * restored for 20 s, over and over.
 */
export function runRapidScenario(opts: { nodes: number; seed: number; minutes: number; config: Partial<ProtocolConfig>; fault: RapidFault }): RapidRun {
  const sim = new Simulation({ nodes: opts.nodes, seed: opts.seed, config: opts.config });
  sim.joinAll();
  sim.runUntilConverged(60_000);
  sim.markSteady();
  const count = Math.max(1, Math.round(opts.nodes / 100));
  const faulty = Array.from({ length: count }, (_, i) => Math.floor(((i + 1) * opts.nodes) / (count + 1)));
  const faultyNames = new Set(faulty.map((f) => sim.name(f)));
  if (opts.fault === 'egress-loss-80') sim.link(faulty, 'all', { loss: 0.8 });
  else sim.flap('all', faulty, 20_000);
  const changes = new Map<string, number>();
  let falsePositivesOnHealthy = 0;
  sim.onEvent((observer, e) => {
    if (faultyNames.has(observer)) return;
    const subject = e.member.name;
    if (!faultyNames.has(subject)) {
      if (e.type === 'failed') falsePositivesOnHealthy++;
      return;
    }
    const isChange = e.type === 'failed' || ((e.type === 'alive' || e.type === 'join') && e.previous === 'dead');
    if (isChange) changes.set(`${observer}>${subject}`, (changes.get(`${observer}>${subject}`) ?? 0) + 1);
  });
  sim.run(opts.minutes * 60_000);
  const counts = [...changes.values()].sort((a, b) => a - b);
  const r = sim.report();
  return {
    transitionsMax: counts[counts.length - 1] ?? 0,
    transitionsMedian: counts[Math.floor(counts.length / 2)] ?? 0,
    falsePositivesOnHealthy,
    msgsPerNodePerSec: r.msgsPerNodePerSec,
    bytesPerNodePerSec: r.bytesPerNodePerSec,
  };
}
