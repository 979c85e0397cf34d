/**
 * Real packets captured on their way to one agent of 5, mutated (bit flips, truncation, splices,
 * overwrites, and field mutations that keep the packet well-formed) and sent by a stranger,
 * without encryption (the default). Before the value checks, 200,000 of them left thousands of
 * members named like "\u0000" at addresses like "127.0.0.\u0000:26860" in every table. Now no
 * table may hold a name, address or tag the CLI would refuse, every refused packet is counted
 * by reason, and the five real members stay alive everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { PacketMutator, type MutationKind } from '../../src/sim/mutator.js';
import { createCodec } from '../../src/wire/codec.js';
import { addressProblem, nameProblem, wireTagsProblem } from '../../src/wire/values.js';
import { tagsToWire } from '../../src/core/tags.js';
import { SeededRandom } from '../../src/runtime/random.js';

const SEED = Number(process.env.SIM_SEED ?? 11);
const PACKETS = Number(process.env.MUTATION_PACKETS ?? 200_000);
const STRANGER = '127.250.0.1:40000';

test(`${PACKETS} mutated captured packets from a stranger: no member the CLI would refuse, every refusal counted, the real members unharmed`, {
  timeout: 120_000,
}, () => {
  const plain = createCodec();
  const captured: Uint8Array[] = [];
  let capturing = true;
  // The default agent's receive path (no encryption), as the composition root builds it: wire
  // router, codec, member guard, observer. Capture what is sent to agent 1.
  const to1 = '127.0.0.2:7946';
  const sim = new Simulation({
    nodes: 5,
    seed: SEED,
    tags: (i) => ({ zone: `z${i % 2}`, role: 'db' }),
    onSend: (_from, to, bytes) => void (capturing && to === to1 && captured.length < 5000 && captured.push(Uint8Array.from(bytes))),
  });
  assert.equal(sim.address(1), to1);
  sim.joinAll();
  assert.ok(sim.runUntilConverged(30_000) !== null, `converged (seed ${SEED})`);
  sim.agent(3).setTags({ zone: 'z1', role: 'db', weight: '2' }); // an update in the corpus too
  sim.run(60_000);
  capturing = false;
  assert.ok(captured.length > 100, `${captured.length} packets captured`);

  const mutator = new PacketMutator(captured, plain, new SeededRandom(SEED));
  const dropsBefore = sumDrops(sim.node(1).observer.counters.drops);
  const made: Partial<Record<MutationKind, number>> = {};
  let decoded = 0;
  for (let i = 0; i < PACKETS; i++) {
    const { kind, bytes } = mutator.next();
    made[kind] = (made[kind] ?? 0) + 1;
    if (plain.decode(bytes).ok) decoded++;
    sim.deliver(1, STRANGER, bytes);
    if (i % 2000 === 1999) sim.run(100); // the cluster keeps running through the attack
  }
  const refusedWhole = PACKETS - decoded;
  const drops = sim.node(1).observer.counters.drops;
  assert.ok(sumDrops(drops) - dropsBefore >= refusedWhole, `every refused packet is counted: ${JSON.stringify(drops)}`);
  for (const reason of ['bad-name', 'bad-address', 'bad-tags', 'decode'])
    assert.ok((drops[reason as keyof typeof drops] ?? 0) > 0, `some drops are ${reason}: ${JSON.stringify(drops)}`);

  // Long enough for a member falsely suspected during the attack (the flooded agent probes
  // slowly) to come back everywhere: a missed refutation waits for a push-pull (30 s), then
  // probation (30 s). With seed 11 and the incarnation bound, n2 missed n4's refutation.
  sim.run(120_000);
  for (const i of sim.running()) {
    for (const m of sim.agent(i).members()) {
      assert.equal(nameProblem(m.name), undefined, `n${i} holds a member named ${JSON.stringify(m.name)}`);
      assert.equal(addressProblem(m.address), undefined, `n${i} holds ${JSON.stringify(m.name)} at ${JSON.stringify(m.address)}`);
      assert.equal(wireTagsProblem(tagsToWire(m.tags), 128), undefined, `n${i} holds tags ${JSON.stringify(m.tags)}`);
    }
    for (const j of sim.running()) assert.equal(sim.view(i, j), 'alive', `n${i} sees n${j} alive (seed ${SEED}, mutations ${JSON.stringify(made)})`);
  }
});

function sumDrops(d: Readonly<Record<string, number | undefined>>): number {
  let n = 0;
  for (const v of Object.values(d)) n += v ?? 0;
  return n;
}
