/**
 * Incarnation overflow (issue 18, finding 2): no message may push a member's incarnation to
 * where it cannot refute. Before the bound, `suspect(n1, 2^53 - 1)` was taken; n1 refuted at
 * 2^53, which every receiver drops, so n1 was declared dead and could never come back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';
import * as M from '../../src/core/messages.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();

for (const [label, forged] of [
  ['suspect(n1, 2^53 - 1)', M.suspect('n1', Number.MAX_SAFE_INTEGER, 'n2')],
  ['suspect(n1, 2^53 - 2)', M.suspect('n1', Number.MAX_SAFE_INTEGER - 1, 'n2')],
  ['dead(n1, 2^40)', M.dead('n1', 2 ** 40, 'n2')],
  ['alive(n1, 2^53 - 1) from another address', M.alive('n1', '127.9.9.9:7946', Number.MAX_SAFE_INTEGER, [])],
] as const) {
  test(`a forged ${label} does not lock n1 out: it stays alive everywhere`, () => {
    const sim = new Simulation({ nodes: 6, seed: 3 });
    sim.joinAll();
    assert.notEqual(sim.runUntilConverged(30_000), null);
    sim.agent(0).receive('127.9.9.9:7946', codec.encode([forged]));
    sim.run(60_000);
    for (const i of sim.running()) {
      const row = sim.agent(i).core.member('n1')!;
      assert.equal(row.state, 'alive', `n${i} holds n1 ${row.state} at ${row.incarnation}`);
      assert.ok(row.incarnation < 2 ** 24, `n${i} holds n1 at a sane incarnation (${row.incarnation})`);
    }
    assert.ok(sim.agent(1).core.currentIncarnation < 2 ** 24);
  });
}

test('a member accused at the highest incarnation others accept can still refute it', () => {
  const sim = new Simulation({ nodes: 4, seed: 4 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  // Walk n1 up to the top in steps the bound allows, as a patient forger would (each refuted).
  const top = Number.MAX_SAFE_INTEGER - 1;
  for (const i of sim.running())
    (sim.agent(i).core as unknown as { table: { set(r: object): void; get(n: string): object } }).table.set({
      ...(sim.agent(i).core.member('n1') as object),
      incarnation: top - 1,
    });
  (sim.agent(1).core as unknown as { incarnation: number }).incarnation = top - 1;
  sim.agent(0).receive('127.9.9.9:7946', codec.encode([M.suspect('n1', top, 'n2')]));
  sim.run(30_000);
  for (const i of sim.running()) {
    const row = sim.agent(i).core.member('n1')!;
    assert.equal(row.state, 'alive', `n${i} holds n1 ${row.state}`);
    assert.equal(row.incarnation, Number.MAX_SAFE_INTEGER, 'refuted at 2^53 - 1, the last incarnation the wire carries');
  }
});

test('a member at the top incarnation: a tag change is refused with ERR_INCARNATION_EXHAUSTED, and its leave is seen as a failure, not dropped as a jump', () => {
  const sim = new Simulation({ nodes: 4, seed: 5 });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  const top = Number.MAX_SAFE_INTEGER - 1;
  for (const i of sim.running())
    (sim.agent(i).core as unknown as { table: { set(r: object): void } }).table.set({ ...(sim.agent(i).core.member('n1') as object), incarnation: top - 1 });
  (sim.agent(1).core as unknown as { incarnation: number }).incarnation = top - 1;
  sim.agent(0).receive('127.9.9.9:7946', codec.encode([M.suspect('n1', top, 'n2')]));
  sim.run(10_000);
  assert.equal(sim.agent(1).core.currentIncarnation, Number.MAX_SAFE_INTEGER, 'refuted at the top');
  assert.throws(
    () => sim.agent(1).setTags({ zone: 'x' }),
    (e: Error & { code?: string }) => e.code === 'ERR_INCARNATION_EXHAUSTED' && /2\^53 - 1/.test(e.message),
  );
  assert.deepEqual(sim.agent(1).core.member('n1')!.tags, {}, 'nothing changed');
  const jumps = () => sim.report().drops['incarnation-jump'] ?? 0;
  const before = jumps();
  sim.leave(1);
  sim.run(30_000);
  for (const i of sim.running()) assert.equal(sim.agent(i).core.member('n1')!.state, 'dead', `n${i} holds n1 failed: its leave could not be announced`);
  assert.equal(jumps(), before, 'no `left` above the bound was sent');
});
