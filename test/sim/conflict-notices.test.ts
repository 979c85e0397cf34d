/**
 * Name-conflict notices are no reflector (issue 18): a stranger that sends agents forged alive
 * claims of members' names "at" a victim's address must not make them send the victim (or the
 * members) more than a trickle. Seeded simulator run; the bytes are printed and bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/simulation.js';
import * as M from '../../src/core/messages.js';
import { tagsToWire } from '../../src/core/tags.js';
import { createCodec } from '../../src/wire/codec.js';
import { lan } from '../../src/config.js';

const codec = createCodec();
const VICTIM = '192.0.2.77:7946';
const FORGER = '192.0.2.66:7946';
/** Big but legal tags on every member: the holder's row is what a naive notice would carry. */
const tags = (i: number) => ({ role: 'db', zone: `zone-${i % 3}`, note: 'x'.repeat(300) });

test('forged name claims at a victim address: the victim gets nothing, the holders a trickle that backs off', (t) => {
  const N = 6;
  const byTo = new Map<string, number>();
  const sim = new Simulation({ nodes: N, seed: 7, tags, onSend: (_from, to, bytes) => byTo.set(to, (byTo.get(to) ?? 0) + bytes.length) });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(30_000), null);
  // Witness notices, per witness and holder.
  const witnessed = new Map<string, number>();
  for (const i of sim.running()) {
    const core = sim.agent(i).core;
    const step = core.step.bind(core);
    (core as { step: typeof step }).step = (input, now) => {
      const outs = step(input, now);
      for (const o of outs)
        if (o.type === 'note' && o.note.kind === 'name-conflict' && o.note.role === 'witness')
          witnessed.set(`n${i}->${o.note.holder}`, (witnessed.get(`n${i}->${o.note.holder}`) ?? 0) + 1);
      return outs;
    };
  }
  const holders = new Set(Array.from({ length: N }, (_, i) => sim.address(i)));
  const start = new Map(byTo);
  const sentSince = (to: string) => (byTo.get(to) ?? 0) - (start.get(to) ?? 0);
  // For 120 s, every 100 ms, a forged claim of one member's name (cycling) at the victim's address
  // goes to every agent, each claim at the member's incarnation (so it is not old news).
  let forgedBytes = 0;
  const t0 = sim.now;
  const DURATION = 120_000;
  for (let k = 0; k * 100 < DURATION; k++) {
    sim.at(t0 + k * 100, () => {
      const name = `n${k % N}`;
      for (const i of sim.running()) {
        const inc = sim.agent(i).core.member(name)?.incarnation ?? 0;
        const bytes = codec.encode([M.alive(name, VICTIM, inc + 1, tagsToWire({}))]);
        forgedBytes += bytes.length;
        sim.agent(i).receive(FORGER, bytes);
      }
    });
  }
  sim.run(DURATION);
  const toVictim = sentSince(VICTIM);
  let toHolders = 0;
  for (const h of holders) toHolders += sentSince(h);
  // The same cluster without the forger, for the members' share of the bytes.
  const quiet = new Map<string, number>();
  const baseline = new Simulation({ nodes: N, seed: 7, tags, onSend: (_from, to, bytes) => quiet.set(to, (quiet.get(to) ?? 0) + bytes.length) });
  baseline.joinAll();
  baseline.runUntilConverged(30_000);
  const quietStart = new Map(quiet);
  baseline.run(DURATION);
  let quietToHolders = 0;
  for (const h of holders) quietToHolders += (quiet.get(h) ?? 0) - (quietStart.get(h) ?? 0);
  const extra = toHolders - quietToHolders;
  t.diagnostic(
    `forged ${forgedBytes} B in over ${DURATION / 1000} s; sent to the victim ${toVictim} B; to members ${toHolders} B, ${extra} B more than without the forger`,
  );
  assert.equal(toVictim, 0, 'nothing goes to the claimed address');
  // Each holder answers the claims of its name (refutes, once per notice) and each witness tells a
  // holder, with a doubling wait per address: at most log2(120 s / probe interval) + 1 times.
  const most = Math.floor(Math.log2(DURATION / lan.probeIntervalMs)) + 1;
  for (const i of sim.running())
    assert.ok(sim.node(i).observer.counters.refutations <= most, `n${i} refuted ${sim.node(i).observer.counters.refutations} times`);
  for (const [k, n] of witnessed) assert.ok(n <= most, `${k}: ${n} notices`);
  // Everyone still holds every member alive at its own address.
  for (const i of sim.running())
    for (let j = 0; j < N; j++) {
      const row = sim.agent(i).core.member(`n${j}`)!;
      assert.equal(row.address, sim.address(j));
      assert.equal(row.state, 'alive');
    }
});
