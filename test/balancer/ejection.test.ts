/** Outlier ejection: consecutive errors eject a member for a growing backoff; it returns by itself. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ejectionBackoffMs, ejectionCap } from '../../src/balancer/index.js';
import { countPicks, setup } from './helpers.js';
import type { LoadBalancer } from '../../src/balancer/index.js';

/** Fail `n` leases on `name` (round-robin makes every member come up in turn). */
function fail(lb: LoadBalancer, name: string, n: number): void {
  let failed = 0;
  for (let guard = 0; failed < n && guard < 10_000; guard++) {
    const r = lb.pickOrThrow();
    const bad = r.member.name === name;
    r.done({ ok: !bad, latencyMs: 1 });
    if (bad) failed++;
  }
}

test('backoff table: doubles per level and stops at the max', () => {
  const cases: [number, number][] = [
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [4, 240_000],
    [5, 300_000],
    [2000, 300_000],
  ];
  for (const [level, ms] of cases) assert.equal(ejectionBackoffMs(level, 30_000, 300_000), ms, `level ${level}`);
  assert.equal(ejectionCap(10, 50), 5);
  assert.equal(ejectionCap(1, 50), 0);
  assert.equal(ejectionCap(3, 100), 3);
});

test('consecutive errors eject a member; it comes back by itself after the backoff', () => {
  const { lb, clock } = setup(4, { algorithm: 'round-robin', ejectAfterErrors: 3, baseEjectionMs: 1000 });
  fail(lb, 'm1', 2);
  assert.equal(lb.stats('m1')?.ejected, false);
  fail(lb, 'm1', 1);
  const st = lb.stats('m1');
  assert.equal(st?.ejected, true);
  assert.equal(st?.ejectedUntilMs, 1000);
  assert.equal(lb.available(), 3);
  assert.equal(countPicks(lb, 300).has('m1'), false);
  clock.t = 999;
  assert.equal(countPicks(lb, 30).has('m1'), false);
  clock.t = 1000;
  assert.equal(countPicks(lb, 40).get('m1'), 10);
  assert.equal(lb.stats('m1')?.ejections, 1);
});

test('a success resets the error streak', () => {
  const { lb } = setup(2, { algorithm: 'round-robin', ejectAfterErrors: 3 });
  fail(lb, 'm0', 2);
  countPicks(lb, 2);
  fail(lb, 'm0', 2);
  assert.equal(lb.stats('m0')?.ejected, false);
  assert.equal(lb.stats('m0')?.consecutiveErrors, 2);
});

test('ejected again soon after a return doubles the backoff; a quiet spell resets it', () => {
  const { lb, clock } = setup(4, { algorithm: 'round-robin', ejectAfterErrors: 2, baseEjectionMs: 1000, maxEjectionMs: 3000 });
  fail(lb, 'm2', 2);
  assert.equal(lb.stats('m2')?.ejectedUntilMs, 1000);
  clock.t = 1000;
  fail(lb, 'm2', 2);
  assert.equal(lb.stats('m2')?.ejectedUntilMs, 3000);
  clock.t = 3000;
  fail(lb, 'm2', 2);
  assert.equal(lb.stats('m2')?.ejectedUntilMs, 6000, 'capped at maxEjectionMs');
  // Back at 6000, well for 3000 ms (its last ejection's length): forgiven.
  clock.t = 9001;
  fail(lb, 'm2', 2);
  assert.equal(lb.stats('m2')?.ejectedUntilMs, 10_001);
});

test('failures reported while ejected do not count toward the next ejection', () => {
  const { lb, clock } = setup(4, { algorithm: 'round-robin', ejectAfterErrors: 2, baseEjectionMs: 1000 });
  const held = [];
  for (let i = 0; i < 4; i++) held.push(lb.pickOrThrow());
  fail(lb, 'm0', 2);
  for (const l of held) l.done({ ok: l.member.name !== 'm0' });
  clock.t = 1000;
  fail(lb, 'm0', 1);
  assert.equal(lb.stats('m0')?.ejected, false);
});

test('the ejection cap keeps part of the cluster in service', () => {
  const { lb } = setup(4, { algorithm: 'round-robin', ejectAfterErrors: 1, maxEjectionPercent: 50 });
  for (let i = 0; i < 20; i++) lb.pickOrThrow().done({ ok: false, latencyMs: 1 });
  assert.equal(lb.allStats().filter((s) => s.ejected).length, 2);
  assert.equal(lb.available(), 2);
});

test('ejectAfterErrors: 0 disables ejection', () => {
  const { lb } = setup(2, { algorithm: 'round-robin', ejectAfterErrors: 0 });
  fail(lb, 'm0', 50);
  assert.equal(lb.stats('m0')?.ejections, 0);
  assert.equal(lb.stats('m0')?.errors, 50);
});

test('a fast failure does not make a member cheaper for p2c', () => {
  const { lb } = setup(2, { algorithm: 'round-robin', ejectAfterErrors: 0, initialLatencyMs: 30 });
  fail(lb, 'm0', 5);
  assert.equal(lb.stats('m0')?.peakEwmaMs, 30);
});
