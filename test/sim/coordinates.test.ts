/**
 * Network coordinates in the simulator, on three zones (RTT 1 ms within a zone, 20/50/80 ms
 * between): the median relative error of the estimated RTT over all pairs is under 15% after
 * 2 virtual minutes, and stays there, with and without 5% loss.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulation } from '../../src/sim/simulation.js';
import { applyZones, CoordinateSampler } from '../../src/sim/zones.js';
import { createCodec } from '../../src/wire/codec.js';
import { MsgType } from '../../src/core/messages.js';

function run(loss: number): CoordinateSampler {
  const sim = new Simulation({ nodes: 30, seed: 3, loss });
  const sampler = new CoordinateSampler(sim, applyZones(sim, { zones: 3 }), 10_000);
  sim.joinAll({ seed: 0, spreadMs: 1000 });
  sim.run(120_000);
  return sampler;
}

for (const loss of [0, 0.05]) {
  test(`three zones, ${loss * 100}% loss: median RTT error <= 15% from 1 minute on`, { timeout: 60_000 }, () => {
    const samples = run(loss).samples;
    assert.equal(samples.length, 12);
    // Everyone starts at the origin: the first samples are far off, and that is the point of the check.
    assert.ok(samples[0]!.median > 0.15, `first sample ${samples[0]!.median}`);
    for (const s of samples.filter((x) => x.atMs >= 60_000)) {
      assert.ok(s.median <= 0.15, `median error ${(s.median * 100).toFixed(1)}% at ${s.atMs} ms`);
      assert.ok(s.inter <= 0.15, `between zones ${(s.inter * 100).toFixed(1)}% at ${s.atMs} ms`);
    }
    assert.equal(samples[samples.length - 1]!.pairs, (30 * 29) / 2);
    // Pairs 1 ms apart are estimated within about half a millisecond: a large relative error,
    // but every agent still ranks a member of its own zone nearest.
    assert.equal(samples[samples.length - 1]!.nearestInZone, 1);
  });
}

test('with coordinates off no agent has one and no coord message is sent', () => {
  const counts = { on: 0, off: 0 };
  const codec = createCodec();
  const count =
    (key: 'on' | 'off') =>
    (_from: string, _to: string, bytes: Uint8Array): void => {
      const r = codec.decode(bytes);
      if (r.ok) counts[key] += r.value.filter((m) => m.type === MsgType.Coord).length;
    };
  const on = new Simulation({ nodes: 5, seed: 1, onSend: count('on') });
  on.joinAll({ seed: 0, spreadMs: 100 });
  on.run(10_000);
  assert.ok(counts.on > 0, 'coordinates on: coord messages ride with pings and acks');
  assert.ok(
    on.running().every((i) => on.agent(i).core.counters().coordinateUpdates > 0),
    'every agent stepped its coordinate',
  );
  const sim = new Simulation({ nodes: 5, seed: 1, config: { coordinates: false }, onSend: count('off') });
  sim.joinAll({ seed: 0, spreadMs: 100 });
  sim.run(10_000);
  for (const i of sim.running()) {
    assert.equal(sim.agent(i).core.coordinate(), undefined);
    assert.equal(sim.agent(i).core.counters().coordinateUpdates, 0);
    assert.ok(
      sim
        .agent(i)
        .members()
        .every((m) => m.coordinate === undefined),
    );
  }
  assert.equal(counts.off, 0);
});
