/**
 * Encryption, key rotation, rolling upgrade and labels on the simulator: each simulated agent is
 * built by the production composition root with its keys and label (`security`), so the
 * envelope, guards, router and observer are the production ones. A failing run prints its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import type { NodeSecurity } from '../../src/sim/index.js';
import { generateKey, Keyring } from '../../src/wire/keyring.js';

const SEED = Number(process.env.SIM_SEED ?? 23);

/** Run until converged or fail with the seed. */
function converge(sim: Simulation, maxMs = 30_000): void {
  assert.ok(
    sim.runUntil(() => sim.checkConverged(), maxMs),
    `not converged within ${maxMs} ms (seed ${SEED})`,
  );
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
  const sim = new Simulation({ nodes: n, seed: SEED, security: (i) => ({ keyring: rings[i]!, label: 'prod' }) });
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
  // report().drops is every drop the agents' observers counted, the core's too (a join's
  // 'unproven-address'); none of them may be the envelope's.
  const refused = Object.keys(r.drops).filter((reason) => ['auth', 'unknown-key', 'plaintext', 'label', 'stale', 'decode'].includes(reason));
  assert.deepEqual(refused, [], `every packet opened at every step: ${JSON.stringify(r.drops)}`);
  for (const ring of rings) assert.deepEqual(ring.view().keys, [ring.view().primary]);
});

test('control: using the new key before everyone installed it makes drops (so the order above matters)', () => {
  const n = 10;
  const k1 = generateKey();
  const k2 = generateKey();
  const rings = Array.from({ length: n }, () => new Keyring([k1]));
  const sim = new Simulation({ nodes: n, seed: SEED, security: (i) => ({ keyring: rings[i]! }) });
  sim.joinAll();
  converge(sim);
  rings[0]!.install(k2);
  rings[0]!.use(k2);
  sim.run(3000);
  assert.ok((sim.report().drops['unknown-key'] ?? 0) > 0);
});

type Mode = 'plain' | 'step1' | 'step2' | 'step3';
function securityFor(mode: Mode, key: string): NodeSecurity | undefined {
  switch (mode) {
    case 'plain':
      return undefined;
    case 'step1':
      return { keyring: new Keyring([key]), verifyIncoming: false, verifyOutgoing: false };
    case 'step2':
      return { keyring: new Keyring([key]), verifyIncoming: false };
    case 'step3':
      return { keyring: new Keyring([key]) };
  }
}

test('rolling upgrade plaintext -> encrypted, restarting 20 agents one at a time per step: the cluster stays one and converged', () => {
  const n = 20;
  const key = generateKey();
  const modes: Mode[] = Array.from({ length: n }, () => 'plain');
  const sim = new Simulation({ nodes: n, seed: SEED, security: (i) => securityFor(modes[i]!, key) });
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
  const sim = new Simulation({ nodes: n, seed: SEED, security: (i) => ({ label: label(i) }) });
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

test('sealing changes bytes, not the run: messages and packets per agent are those of the plaintext run', () => {
  const key = generateKey();
  const run = (security?: NodeSecurity) => {
    const sim = new Simulation({ nodes: 8, seed: SEED, ...(security ? { security: () => security } : {}) });
    sim.joinAll();
    converge(sim);
    sim.markSteady();
    sim.run(20_000);
    return sim.report();
  };
  const plain = run();
  const sealed = run({ keyring: new Keyring([key]), label: 'prod' });
  assert.equal(sealed.traceHash, plain.traceHash, 'the same events at the same times');
  assert.ok(plain.msgsPerNodePerSec > 1, `${plain.msgsPerNodePerSec} messages/agent/s`);
  // Counted from what each node encoded: a sealed packet's header is ciphertext.
  assert.equal(sealed.msgsPerNodePerSec, plain.msgsPerNodePerSec);
  assert.equal(sealed.packetsPerNodePerSec, plain.packetsPerNodePerSec);
  assert.ok(sealed.bytesPerNodePerSec > plain.bytesPerNodePerSec, 'the seal and label cost bytes');
});

test('the wire router runs in the simulator: a join to another label fails, and the joiner learns why from the notice', () => {
  const sim = new Simulation({ nodes: 2, seed: SEED, security: (i) => ({ label: i === 0 ? 'blue' : 'green' }) });
  sim.start(0);
  sim.start(1);
  sim.join(1, [0]);
  sim.run(40_000); // joins retry 5 times with doubling waits
  assert.deepEqual(
    sim.joinErrors.map((e) => e.agent),
    ['n1'],
  );
  assert.ok((sim.node(0).observer.counters.drops.label ?? 0) > 0);
  assert.ok(sim.node(0).router.counts.noticesSent >= 1, 'the seed told the joiner');
  assert.match(sim.node(1).router.refusal(sim.address(0)) ?? '', /cluster label differs/);
});
