/**
 * Encryption, key rotation, rolling upgrade and labels on the simulator: the sealing codec is
 * given to each simulated agent, the same Driver as production. A failing run prints its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { createCodec, type Codec } from '../../src/wire/codec.js';
import { createSecureCodec } from '../../src/wire/secure.js';
import { generateKey, Keyring } from '../../src/wire/keyring.js';

const SEED = Number(process.env.SIM_SEED ?? 23);
const plain = createCodec();

/** Run until converged or fail with the seed. */
function converge(sim: Simulation, maxMs = 30_000): void {
  assert.ok(sim.runUntil(() => sim.checkConverged(), maxMs), `not converged within ${maxMs} ms (seed ${SEED})`);
}

/** Apply `fn` to each agent at a random time within `spreadMs`, then run until all were done. */
function staggered(sim: Simulation, n: number, spreadMs: number, fn: (i: number) => void): void {
  const start = sim.now;
  for (let i = 0; i < n; i++) sim.at(start + ((i * 7919 + SEED * 31) % spreadMs), () => fn(i));
  sim.run(spreadMs + 1);
}

test('key rotation across 20 agents, one agent at a time: nobody is ever marked failed, no packet is refused', () => {
  const n = 20;
  const k1 = generateKey();
  const k2 = generateKey();
  const rings = Array.from({ length: n }, () => new Keyring([k1]));
  const sim = new Simulation({ nodes: n, seed: SEED, codec: (i) => createSecureCodec(plain, { keyring: rings[i]!, label: 'prod' }) });
  const failed: string[] = [];
  sim.onEvent((observer, e) => {
    if (e.type === 'failed' || e.type === 'suspect') failed.push(`${observer} saw ${e.member.name} ${e.type}`);
  });
  sim.joinAll();
  converge(sim);
  // serf keys: install everywhere, then use everywhere, then remove the old key everywhere.
  // Each phase is spread over 5 s of gossip; the next starts when it is done on every agent.
  staggered(sim, n, 5000, (i) => rings[i]!.install(k2));
  staggered(sim, n, 5000, (i) => rings[i]!.use(k2));
  staggered(sim, n, 5000, (i) => rings[i]!.remove(k1));
  sim.run(10_000);
  converge(sim);
  const r = sim.report();
  assert.deepEqual(failed, [], `seed ${SEED}`);
  assert.equal(r.falsePositives, 0);
  assert.ok(r.agreement);
  assert.deepEqual(r.drops, {}, 'every packet opened at every step');
  for (const ring of rings) assert.deepEqual(ring.view().keys, [ring.view().primary]);
});

test('control: using the new key before everyone installed it makes drops (so the order above matters)', () => {
  const n = 10;
  const k1 = generateKey();
  const k2 = generateKey();
  const rings = Array.from({ length: n }, () => new Keyring([k1]));
  const sim = new Simulation({ nodes: n, seed: SEED, codec: (i) => createSecureCodec(plain, { keyring: rings[i]! }) });
  sim.joinAll();
  converge(sim);
  rings[0]!.install(k2);
  rings[0]!.use(k2);
  sim.run(3000);
  assert.ok((sim.report().drops['unknown-key'] ?? 0) > 0);
});

type Mode = 'plain' | 'step1' | 'step2' | 'step3';
function codecFor(mode: Mode, key: string): Codec {
  switch (mode) {
    case 'plain':
      return plain;
    case 'step1':
      return createSecureCodec(plain, { keyring: new Keyring([key]), verifyIncoming: false, verifyOutgoing: false });
    case 'step2':
      return createSecureCodec(plain, { keyring: new Keyring([key]), verifyIncoming: false });
    case 'step3':
      return createSecureCodec(plain, { keyring: new Keyring([key]) });
  }
}

test('rolling upgrade plaintext -> encrypted, restarting 20 agents one at a time per step: the cluster stays one and converged', () => {
  const n = 20;
  const key = generateKey();
  const modes: Mode[] = Array.from({ length: n }, () => 'plain');
  const sim = new Simulation({ nodes: n, seed: SEED, codec: (i) => codecFor(modes[i]!, key) });
  const failed: string[] = [];
  sim.onEvent((observer, e) => {
    if (e.type === 'failed') failed.push(`${observer} saw ${e.member.name} failed`);
  });
  sim.joinAll();
  converge(sim);
  for (const step of ['step1', 'step2', 'step3'] as const) {
    for (let i = 0; i < n; i++) {
      modes[i] = step;
      sim.restart(i); // a new process with the new settings, same name, joins through a running agent
      sim.run(1500);
      // Mixed cluster: whoever runs with whichever setting, all see all alive.
      converge(sim, 20_000);
    }
  }
  const r = sim.report();
  assert.deepEqual(failed, [], `seed ${SEED}`);
  assert.ok(r.agreement);
  // At the end plaintext is refused: an old plaintext agent cannot get in.
  assert.equal(r.drops.plaintext ?? 0, 0);
});

test('two clusters with different labels on one network never merge; drops are counted as label', () => {
  const n = 10;
  const label = (i: number): string => (i < 5 ? 'blue' : 'green');
  const sim = new Simulation({ nodes: n, seed: SEED, codec: (i) => createSecureCodec(plain, { label: label(i) }) });
  sim.start(0);
  sim.start(5);
  for (let i = 1; i < n; i++) {
    if (i === 5) continue;
    sim.start(i);
    // Agents 7..9 are given the wrong seed by mistake: the blue seed.
    sim.join(i, [i < 5 || i >= 7 ? 0 : 5]);
  }
  sim.run(40_000); // joins retry 5 times with doubling waits: 31 s in all
  for (let i = 0; i < n; i++) {
    for (const m of sim.agent(i).members()) assert.equal(label(Number(m.name.slice(1))), label(i), `${sim.name(i)} lists ${m.name}`);
  }
  assert.deepEqual(sim.joinErrors.map((e) => e.agent).sort(), ['n7', 'n8', 'n9']);
  assert.ok((sim.report().drops.label ?? 0) > 0);
});
