/** Leases: statistics through done, pooling, and the no-allocation claim. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup } from './helpers.js';

test('done feeds in-flight, requests, errors and latency', () => {
  const { lb, clock } = setup(1, { algorithm: 'round-robin', latencyAlpha: 0.5, ejectAfterErrors: 0 });
  const a = lb.pickOrThrow();
  const b = lb.pickOrThrow();
  assert.equal(lb.stats('m0')?.inFlight, 2);
  clock.t = 10;
  a.done({ ok: true }); // latency from the clock: 10 ms
  b.done({ ok: false, latencyMs: 30 });
  const s = lb.stats('m0');
  assert.equal(s?.inFlight, 0);
  assert.equal(s?.picks, 2);
  assert.equal(s?.requests, 2);
  assert.equal(s?.errors, 1);
  assert.equal(s?.latencyEwmaMs, 10);
  assert.equal(s?.peakEwmaMs, 30);
});

test('a second done is ignored', () => {
  const { lb } = setup(1);
  const l = lb.pickOrThrow();
  l.done({ ok: true, latencyMs: 1 });
  l.done({ ok: true, latencyMs: 1 });
  assert.equal(lb.stats('m0')?.requests, 1);
  assert.equal(lb.stats('m0')?.inFlight, 0);
});

test('leases are reused: steady-state picks create no new lease', () => {
  const { lb } = setup(3, { algorithm: 'p2c' });
  const seen = new Set<object>();
  for (let i = 0; i < 1000; i++) {
    const a = lb.pickOrThrow();
    const b = lb.pickOrThrow();
    seen.add(a).add(b);
    a.done({ ok: true, latencyMs: 2 });
    b.done({ ok: true, latencyMs: 3 });
  }
  assert.equal(seen.size, 2);
});

test('leases in flight on a member that left finish harmlessly', () => {
  const { lb } = setup(2, { algorithm: 'round-robin' });
  const l = lb.pickOrThrow();
  lb.sync([]);
  l.done({ ok: false, latencyMs: 5 });
  assert.equal(lb.size, 0);
});
