/** Load-aware algorithms steer away from a slow member; load-blind ones do not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Algorithm } from '../../src/balancer/index.js';
import { setup, simulate } from './helpers.js';

// 10 members, m9 ten times slower; a request every 1 ms, each fast one takes 5 ms.
function share(algorithm: Algorithm): number {
  const { lb, clock } = setup(10, { algorithm }, { seed: 11 });
  const counts = simulate(lb, clock, 20_000, 1, (n) => (n === 'm9' ? 50 : 5));
  return (counts.get('m9') ?? 0) / 20_000;
}

test('round-robin gives the slow member its full share (the baseline)', () => {
  assert.equal(share('round-robin'), 0.1);
});

test('least-connections steers away from a slow member', () => {
  const s = share('least-connections');
  assert.ok(s < 0.05, `slow member share ${s}`);
});

test('p2c (peak EWMA) steers away from a slow member', () => {
  const s = share('p2c');
  assert.ok(s < 0.03, `slow member share ${s}`);
});

test('p2c reacts at once to a member that turns slow and forgives it later', () => {
  const { lb, clock } = setup(4, { algorithm: 'p2c', decayMs: 1000 }, { seed: 3 });
  let slow = false;
  const before = simulate(lb, clock, 2000, 1, () => 5);
  assert.ok((before.get('m0') ?? 0) > 300);
  slow = true;
  const start = clock.t;
  const counts = new Map<string, number>();
  // m0 degrades: its estimate jumps on the first slow answer (the peak), so it is avoided.
  for (let i = 0; i < 2000; i++) {
    clock.t = start + i;
    const r = lb.pickOrThrow();
    counts.set(r.member.name, (counts.get(r.member.name) ?? 0) + 1);
    r.done({ ok: true, latencyMs: r.member.name === 'm0' && slow ? 500 : 5 });
  }
  assert.ok((counts.get('m0') ?? 0) < 40, `degraded m0 got ${counts.get('m0')}`);
  // Left alone, its estimate decays toward 0 and it is tried again.
  clock.t += 20_000;
  const st = lb.stats('m0');
  assert.ok(st !== undefined && st.peakEwmaMs < 5, `peak ${st?.peakEwmaMs}`);
});
