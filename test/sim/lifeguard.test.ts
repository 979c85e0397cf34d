/**
 * Each Lifeguard part (and our stall detection) in a scenario that fails without it and passes
 * with it. Virtual time; the seed is printed on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { plainSwim, resolveConfig, type ProtocolConfig } from '../../src/config.js';
import { createCodec } from '../../src/wire/codec.js';
import * as M from '../../src/core/messages.js';
import { Swim } from '../../src/core/swim.js';
import { SeededRandom } from '../../src/runtime/random.js';
import type { Output } from '../../src/core/io.js';

const SEED = Number(process.env.SIM_SEED ?? 5);
const codec = createCodec();
const only = (part: Partial<ProtocolConfig>): Partial<ProtocolConfig> => ({ ...plainSwim, ...part });

/** n1 holds a suspicion of n2 that n2 refutes while n1 sleeps 3 s: does n1 wake up and declare n2 dead? */
function pausedAgentVerdicts(config: Partial<ProtocolConfig>): number {
  const sim = new Simulation({ nodes: 10, seed: SEED, config: { ...config, suspicionMult: 2 } });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  const rumour = codec.encode([M.suspect('n2', 0, 'n3')]);
  sim.agent(2).receive(sim.address(3), rumour); // n2 hears it and refutes at once
  sim.agent(1).receive(sim.address(3), rumour); // n1 starts its timer (2 s), then stalls
  sim.pause(1, 3000);
  let verdicts = 0;
  sim.onEvent((observer, e) => {
    if (observer === 'n1' && e.type === 'failed' && e.member.name === 'n2') verdicts++;
  });
  sim.run(10_000);
  return verdicts;
}

test('stall detection: an agent paused for 3 s does not declare a healthy member dead by its own slowness', () => {
  assert.equal(pausedAgentVerdicts(plainSwim), 1, `without it, plain SWIM does (seed ${SEED})`);
  assert.equal(pausedAgentVerdicts(only({ stallDetection: true })), 0, `seed ${SEED}`);
  assert.equal(pausedAgentVerdicts({}), 0, `all of Lifeguard, seed ${SEED}`);
});

/** n0's incoming packets arrive 1.2 s late: with the usual timeouts every probe it makes looks failed. */
function slowReceiver(config: Partial<ProtocolConfig>): { awareness: number; early: number; suspicions: number; probes: number } {
  const sim = new Simulation({ nodes: 12, seed: SEED, config });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  sim.link('all', [0], { latencyMs: 1200, jitterMs: 0 });
  let peak = 0;
  let early = 0;
  for (let t = 0; t < 60_000; t += 250) {
    sim.run(250);
    peak = Math.max(peak, sim.agent(0).core.counters().awareness);
    if (t === 4000) early = sim.agent(0).core.counters().awareness;
  }
  return { awareness: peak, early, suspicions: sim.node(0).observer.counters.suspicionsStarted, probes: sim.agent(0).core.counters().probes };
}

test('awareness: a slow agent raises its score and accuses far fewer healthy members', () => {
  const without = slowReceiver(plainSwim);
  const withIt = slowReceiver(only({ lifeguardAwareness: true, lifeguardNack: true }));
  assert.equal(without.awareness, 0);
  assert.ok(withIt.awareness >= 2, `peak score ${withIt.awareness}`);
  assert.ok(withIt.probes < without.probes / 2, `probes ${withIt.probes} vs ${without.probes}`);
  assert.ok(withIt.suspicions < without.suspicions / 2, `suspicions ${withIt.suspicions} vs ${without.suspicions} (seed ${SEED})`);
});

/** The survivors probe a member that really died, with healthy helpers: is any prober's own score hurt? */
function deadTargetAwareness(config: Partial<ProtocolConfig>, seed = SEED): number {
  const sim = new Simulation({ nodes: 4, seed, config });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  sim.kill(3);
  let max = 0;
  sim.runUntil(
    () => {
      for (const i of sim.running()) max = Math.max(max, sim.agent(i).core.counters().awareness);
      return sim.running().every((i) => sim.view(i, 3) === 'dead');
    },
    60_000,
    50,
  );
  return max;
}

test('nack: helpers that answer nack tell a requester the target is gone, not its own packets', () => {
  // Without nacks every failed probe counts against the prober; with them, healthy helpers' nacks clear it.
  const seen: number[] = [];
  for (let s = 0; s < 4; s++) seen.push(deadTargetAwareness(only({ lifeguardAwareness: true }), SEED + s));
  assert.ok(
    seen.some((v) => v > 0),
    `without nacks a prober's score rises: ${seen}`,
  );
  for (let s = 0; s < 4; s++) assert.equal(deadTargetAwareness(only({ lifeguardAwareness: true, lifeguardNack: true }), SEED + s), 0, `seed ${SEED + s}`);
  // And the other way: a requester whose incoming packets are late hears no nack, and each
  // missing nack counts, so it backs off sooner than on failed probes alone.
  const missing = slowReceiver(only({ lifeguardAwareness: true, lifeguardNack: true })).early;
  const plainCount = slowReceiver(only({ lifeguardAwareness: true })).early;
  assert.ok(missing > plainCount, `score after 4 s: ${missing} with nacks vs ${plainCount} without`);
});

/** When does a core declare b dead after a suspicion from these accusers? */
function deathTime(config: Partial<ProtocolConfig>, accusers: string[]): number {
  const core = new Swim({ name: 'a', address: 'a', config: resolveConfig(config) }, { random: new SeededRandom(SEED), sizeOf: codec.sizeOf }, 0);
  const names = ['b', 'c', 'd', 'e', 'f', 'g', 'h'];
  core.step({ type: 'packet', from: 'x', messages: names.map((n) => M.alive(n, n, 0, [])) }, 0);
  core.step({ type: 'packet', from: 'x', messages: accusers.map((c) => M.suspect('b', 0, c)) }, 0);
  for (let t = core.nextDeadline(); t < 120_000; t = core.nextDeadline()) {
    const outs: Output[] = core.step({ type: 'tick' }, t);
    // Everyone else answers, so only b can fail; acks for the probes come back at once.
    for (const o of outs) {
      if (o.type === 'event' && o.event.type === 'failed' && o.event.member.name === 'b') return t;
      if (o.type === 'send' && o.to !== 'b')
        for (const m of o.messages) if (m.type === M.MsgType.Ping) core.step({ type: 'packet', from: o.to, messages: [M.ack(m.seq, m.target, 8)] }, t + 1);
    }
  }
  return Infinity;
}

test('dynamic suspicion: a suspicion confirmed by many members expires sooner than one seen by one', () => {
  const plainOne = deathTime(plainSwim, ['c']);
  const plainMany = deathTime(plainSwim, ['c', 'd', 'e']);
  assert.equal(plainOne, plainMany, 'plain SWIM ignores confirmations');
  const one = deathTime(only({ lifeguardDynamicSuspicion: true }), ['c']);
  const many = deathTime(only({ lifeguardDynamicSuspicion: true }), ['c', 'd', 'e']);
  assert.ok(many < one, `many ${many} ms < one ${one} ms`);
  assert.equal(many, plainMany, 'fully confirmed: the minimum timeout');
  assert.ok(one > 2 * plainOne, 'a lone accuser waits longer than plain SWIM');
});

test('buddy system: a ping to a suspect carries the suspicion, so it can refute at the first packet', () => {
  const probeOfSuspect = (config: Partial<ProtocolConfig>): readonly M.Message[] | undefined => {
    const core = new Swim({ name: 'a', address: 'a', config: resolveConfig(config) }, { random: new SeededRandom(SEED), sizeOf: codec.sizeOf }, 0);
    core.step({ type: 'packet', from: 'x', messages: [M.alive('b', 'b', 0, [])] }, 0);
    core.step({ type: 'packet', from: 'x', messages: [M.suspect('b', 0, 'c')] }, 0);
    // Let the piggyback queue run dry first: then only the buddy system can tell b.
    for (let t = core.nextDeadline(), i = 0; i < 400; t = core.nextDeadline(), i++) {
      const outs = core.step({ type: 'tick' }, t);
      const ping = outs.find((o): o is Extract<Output, { type: 'send' }> => o.type === 'send' && o.messages[0]!.type === M.MsgType.Ping);
      if (ping && core.pendingBroadcasts === 0 && t > 2000) return ping.messages;
      if (ping) core.step({ type: 'packet', from: 'b', messages: [] }, t);
    }
    return undefined;
  };
  const carries = (msgs: readonly M.Message[] | undefined) => !!msgs?.some((m) => m.type === M.MsgType.Suspect && m.name === 'b');
  assert.equal(carries(probeOfSuspect(only({ lifeguardDynamicSuspicion: true }))), false, 'without it the probe says nothing');
  assert.equal(carries(probeOfSuspect(only({ lifeguardDynamicSuspicion: true, lifeguardBuddy: true }))), true);
});

test('Lifeguard counters are exposed: awareness and refuted suspicions in the core, suspicions started / expired by the observer', () => {
  const sim = new Simulation({ nodes: 8, seed: SEED });
  sim.joinAll();
  sim.runUntilConverged(30_000);
  sim.kill(7);
  sim.run(60_000);
  const all = sim.running().map((i) => sim.agent(i).core.counters());
  for (const k of ['awareness', 'suspicionsRefuted', 'nacksSent', 'nacksReceived', 'stalls'] as const) assert.equal(typeof all[0]![k], 'number', k);
  const observed = sim.running().map((i) => sim.node(i).observer.counters);
  const sum = (k: 'suspicionsStarted' | 'suspicionsExpired') => observed.reduce((a, c) => a + c[k], 0);
  assert.ok(sum('suspicionsStarted') >= 1 && sum('suspicionsExpired') >= 1, 'the kill was suspected and its suspicion ran out somewhere');
});
