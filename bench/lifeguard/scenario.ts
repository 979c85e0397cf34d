/**
 * The Lifeguard benchmark scenario: N agents, 5% loss on every link, 4 degraded agents that
 * stall for 0.5–3 s, a stall starting every 2–5 s at random (alive all along), and 3 healthy agents killed
 * during the run. Shared by bench/lifeguard.ts and the tests.
 */
import { Simulation } from '../../src/sim/index.js';
import type { ProtocolConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';

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

export function runLifeguardScenario(opts: { nodes: number; seed: number; minutes: number; config: Partial<ProtocolConfig>; degraded?: number; loss?: number }): LifeguardRun {
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
