import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { createCodec } from '../../src/wire/codec.js';

// The simulator shares decoded messages between agents (wire/codec.ts, shareDecoded): a run
// must be exactly the run each agent decoding every packet itself gives.
test('sharing decoded messages between agents does not change a run', () => {
  const run = (plain: boolean) => {
    const sim = new Simulation({ nodes: 40, seed: 7, loss: 0.02, keepTrace: true, ...(plain ? { codec: () => createCodec() } : {}) });
    sim.joinAll();
    sim.run(12_000);
    sim.kill(5);
    sim.pause(9, 1500);
    sim.run(12_000);
    return { report: sim.report(), trace: sim.trace.length, sums: [...sim.checksums()] };
  };
  const shared = run(false);
  const plain = run(true);
  assert.ok(shared.trace > 40 * 39, 'the agents joined');
  assert.equal(shared.report.traceHash, plain.report.traceHash);
  assert.equal(shared.trace, plain.trace);
  assert.deepEqual(shared.report.detection, plain.report.detection);
  assert.equal(shared.report.bytesPerNodePerSec, plain.report.bytesPerNodePerSec);
  assert.deepEqual(shared.report.drops, plain.report.drops);
  assert.deepEqual(shared.sums, plain.sums);
});
