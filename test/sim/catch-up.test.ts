/**
 * Issue 18, finding 7: after a death, the agents that already applied `dead` must not pull the
 * full table of every peer that still counts the dead member live (O(n²) bytes per loss); those
 * peers are behind, and gossip brings them the verdict. Seeded, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { createCodec, type Codec } from '../../src/wire/codec.js';
import { MsgType, type Message } from '../../src/core/messages.js';

test('a kill in a quiet cluster of 64 costs no catch-up pulls: push-pull bytes stay under one table', () => {
  let pushPullBytes = 0;
  const base = createCodec();
  const codec: Codec = {
    ...base,
    encode: (ms: readonly Message[]) => {
      const b = base.encode(ms);
      if (ms[0]?.type === MsgType.PushPull) pushPullBytes += b.length;
      return b;
    },
  };
  const sim = new Simulation({ nodes: 64, seed: 1, codec: () => codec });
  sim.joinAll();
  assert.notEqual(sim.runUntilConverged(60_000), null, 'converged');
  sim.run(40_000);
  const perKill: number[] = [];
  for (const victim of [9, 30, 51]) {
    pushPullBytes = 0;
    sim.kill(victim);
    sim.run(20_000);
    assert.ok(
      sim.running().every((i) => sim.view(i, victim) === 'dead'),
      `n${victim} dead everywhere`,
    );
    perKill.push(pushPullBytes);
  }
  // One full table of 64 rows is about 1.6 KB; before the fix every kill cost several of them.
  const table = 64 * 25;
  assert.ok(Math.max(...perKill) < table, `push-pull bytes per kill ${perKill.join(', ')} (one table is about ${table})`);
});
