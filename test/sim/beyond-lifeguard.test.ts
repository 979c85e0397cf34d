/**
 * Active confirmation and flap damping: each fails without its switch and passes with it.
 * The Rapid faults come from harness/lifeguard-scenario.ts, so the test and the benchmark agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { lifeguardOnly, type ProtocolConfig } from '../../src/config.js';
import { createCodec } from '../../src/wire/codec.js';
import * as M from '../../src/core/messages.js';
import { runRapidScenario } from '../../harness/lifeguard-scenario.js';

const SEED = Number(process.env.SIM_SEED ?? 4);

function allDeadMs(config: Partial<ProtocolConfig>): { allDead: number; checks: number } {
  const sim = new Simulation({ nodes: 32, seed: SEED, config });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  sim.run(5_000);
  sim.kill(9);
  sim.run(40_000);
  const checks = sim.running().reduce((a, i) => a + sim.agent(i).core.counters().checks, 0);
  const d = sim.report().detection[0]!;
  // From the first suspicion: when the first probe of the victim happens is luck, the same for both.
  return { allDead: (d.allDeadMs ?? Infinity) - (d.firstSuspectMs ?? 0), checks };
}

test('active confirmation: a killed agent is dead everywhere sooner than with Lifeguard, but not before the removal floor, at a bounded cost', () => {
  const lifeguard = allDeadMs(lifeguardOnly);
  const ours = allDeadMs({ ...lifeguardOnly, activeConfirmation: true });
  // Two timescales (issue 18): the dead verdict waits suspicionMult x probeInterval (4 s at lan)
  // however many confirm, so that a stall shorter than that is survived.
  assert.ok(ours.allDead < 0.8 * lifeguard.allDead, `all dead ${ours.allDead} ms after the first suspicion vs ${lifeguard.allDead} ms (seed ${SEED})`);
  assert.ok(ours.allDead >= 4_000, `not before the removal floor: ${ours.allDead} ms`);
  assert.equal(lifeguard.checks, 0);
  assert.ok(ours.checks >= 1 && ours.checks <= 3, `${ours.checks} checks for one suspicion: at most the 3 confirmers, whatever n`);
});

test('active confirmation: a live suspect answers a checker and refutes; it is never declared dead', () => {
  const sim = new Simulation({ nodes: 24, seed: SEED, keepTrace: true });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  // A false rumour reaches everyone but the subject: only the checkers' probes can tell n6.
  const rumour = createCodec().encode([M.suspect('n6', 0, 'n2')]);
  for (const i of sim.running()) if (i !== 6) sim.agent(i).receive(sim.address(2), rumour);
  sim.run(10_000);
  assert.ok(!sim.trace.some((t) => t.type === 'failed' && t.subject === 'n6'));
  assert.equal(sim.agent(6).core.currentIncarnation, 1, 'it refuted');
  assert.ok(sim.running().every((i) => i === 6 || sim.view(i, 6) === 'alive'));
});

for (const fault of ['egress-loss-80', 'ingress-flip-flop'] as const) {
  test(`flap damping: a member with ${fault} is decided once and stays dead; no healthy member dies`, () => {
    // Lifeguard alone either flaps the faulty member or, believing the faulty member's own
    // verdicts, declares healthy members dead; which one, and whether at all in 4 minutes,
    // depends on the seed (egress-loss-80: about 60 healthy members dead in seeds 1, 3 and 6,
    // nothing in 2, 4 and 5). So seeds are tried from SEED until Lifeguard alone shows it; ours
    // must hold on every seed tried.
    const tried: string[] = [];
    for (let seed = SEED; seed < SEED + 4; seed++) {
      const ours = runRapidScenario({ nodes: 64, seed, minutes: 4, config: {}, fault });
      assert.ok(ours.transitionsMax <= 2, `ours: ${ours.transitionsMax} alive<->dead changes (seed ${seed})`);
      assert.equal(ours.falsePositivesOnHealthy, 0, `ours: healthy members declared dead (seed ${seed})`);
      const lifeguard = runRapidScenario({ nodes: 64, seed, minutes: 4, config: lifeguardOnly, fault });
      if (lifeguard.transitionsMax > 2 || lifeguard.falsePositivesOnHealthy > 0) return;
      tried.push(`seed ${seed}: ${lifeguard.transitionsMax} changes, ${lifeguard.falsePositivesOnHealthy} healthy dead`);
    }
    assert.fail(`Lifeguard alone never showed the fault's harm: ${tried.join('; ')}`);
  });
}

test('flap damping: a crashed member that restarts is a new process life, admitted without probation', () => {
  const sim = new Simulation({ nodes: 10, seed: SEED });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  sim.kill(3);
  sim.run(15_000);
  assert.equal(sim.view(0, 3), 'dead');
  sim.restart(3, [0]);
  assert.ok(
    sim.runUntil(() => sim.checkConverged(), 2_000),
    'back everywhere within 2 s',
  );
  assert.equal(
    sim.running().reduce((a, i) => a + sim.agent(i).core.counters().probations, 0),
    0,
    'nobody held it on probation',
  );
});
