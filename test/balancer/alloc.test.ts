/**
 * The no-allocation claim: pick + done in the steady state allocate nothing. Measured with V8's
 * sampling heap profiler keeping collected objects, so short-lived garbage counts too.
 */
import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { test } from 'node:test';
import { ALGORITHMS, type LoadBalancer } from '../../src/balancer/index.js';
import { setup, type Clock } from './helpers.js';

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}
const total = (n: ProfileNode): number => n.children.reduce((s, c) => s + total(c), n.selfSize);

function loop(lb: LoadBalancer, clock: Clock, ops: number, result: { ok: boolean; latencyMs: number }): void {
  for (let i = 0; i < ops; i++) {
    clock.t += 0.37; // fractional on purpose: boxed doubles were the allocation to catch
    const r = lb.pick('k');
    if (r.ok) r.done(result);
  }
}

for (const algorithm of ALGORITHMS.filter((a) => a !== 'affinity')) {
  test(`${algorithm}: pick + done allocate < 0.5 bytes per pick in the steady state`, async () => {
    const { lb, clock } = setup(16, { algorithm });
    const result = { ok: true, latencyMs: 3.5 };
    loop(lb, clock, 300_000, result); // warm-up: JIT and the lease pool
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 128,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as { samplingInterval: number });
    const ops = 300_000;
    loop(lb, clock, ops, result);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    const perPick = total(profile.head as unknown as ProfileNode) / ops;
    assert.ok(perPick < 0.5, `${perPick.toFixed(3)} bytes per pick`);
  });
}
