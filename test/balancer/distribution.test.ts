/** Each algorithm's spread over 100,000 picks on a stable set of members. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countPicks, names, setup } from './helpers.js';

const PICKS = 100_000;

test('round-robin is exact: 100,000 picks over 10 members give 10,000 each', () => {
  const { lb } = setup(10, { algorithm: 'round-robin' });
  const counts = countPicks(lb, PICKS);
  for (const n of names(10)) assert.equal(counts.get(n), 10_000, n);
});

test('least-connections with instant completions spreads ties evenly', () => {
  const { lb } = setup(10, { algorithm: 'least-connections' });
  const counts = countPicks(lb, PICKS);
  for (const n of names(10)) assert.equal(counts.get(n), 10_000, n);
});

test('weighted follows tag and hand-set weights within 1%', () => {
  // Tags give m0..m4 weights 1..5; m5 gets 10 by hand, overriding its tag.
  const { lb } = setup(6, { algorithm: 'weighted' }, { tags: (i) => ({ weight: String(i + 1) }) });
  lb.setWeight('m5', 10);
  const weights = [1, 2, 3, 4, 5, 10];
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = countPicks(lb, PICKS);
  weights.forEach((w, i) => {
    const share = (counts.get(`m${i}`) ?? 0) / PICKS;
    assert.ok(Math.abs(share - w / total) <= 0.01 * (w / total), `m${i}: share ${share} vs ${w / total}`);
  });
});

test('weighted is smooth: a heavy member never takes long runs', () => {
  const { lb } = setup(3, { algorithm: 'weighted' });
  lb.setWeight('m0', 5);
  const seq: string[] = [];
  for (let i = 0; i < 7; i++) {
    const r = lb.pickOrThrow();
    seq.push(r.member.name);
    r.done({ ok: true, latencyMs: 1 });
  }
  // nginx's classic example: weights 5,1,1 give a a b a c a a.
  assert.deepEqual(seq, ['m0', 'm0', 'm1', 'm0', 'm2', 'm0', 'm0']);
});

test('bad weight tags fall back to 1 and bad hand weights throw ERR_ARGUMENT', () => {
  const { lb } = setup(2, { algorithm: 'weighted' }, { tags: (i) => ({ weight: i === 0 ? 'abc' : '-3' }) });
  assert.equal(lb.stats('m0')?.weight, 1);
  assert.equal(lb.stats('m1')?.weight, 1);
  assert.throws(() => lb.setWeight('m0', 0), { code: 'ERR_ARGUMENT' });
  assert.throws(() => lb.setWeight('m0', Number.NaN), { code: 'ERR_ARGUMENT' });
  lb.setWeight('m0', 3);
  assert.equal(lb.stats('m0')?.weight, 3);
  lb.setWeight('m0', undefined);
  assert.equal(lb.stats('m0')?.weight, 1);
});

test('random stays within statistical bounds (5 sigma per member, chi-square)', () => {
  for (const seed of [1, 2, 3]) {
    const { lb } = setup(10, { algorithm: 'random' }, { seed });
    const counts = countPicks(lb, PICKS);
    const expected = PICKS / 10;
    const sigma = Math.sqrt(PICKS * 0.1 * 0.9);
    let chi2 = 0;
    for (const n of names(10)) {
      const c = counts.get(n) ?? 0;
      assert.ok(Math.abs(c - expected) < 5 * sigma, `seed ${seed} ${n}: ${c}`);
      chi2 += (c - expected) ** 2 / expected;
    }
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
    assert.ok(chi2 < 27.88, `seed ${seed}: chi2 ${chi2}`);
  }
});

test('p2c over equal members spreads within statistical bounds', () => {
  const { lb } = setup(10, { algorithm: 'p2c' }, { seed: 7 });
  const counts = countPicks(lb, PICKS, 5);
  for (const n of names(10)) {
    const c = counts.get(n) ?? 0;
    assert.ok(Math.abs(c - PICKS / 10) < 5 * Math.sqrt(PICKS * 0.1 * 0.9), `${n}: ${c}`);
  }
});

test('switching algorithm at run time keeps statistics', () => {
  const { lb } = setup(4, { algorithm: 'round-robin' });
  countPicks(lb, 8);
  lb.setAlgorithm('weighted');
  assert.equal(lb.algorithm, 'weighted');
  countPicks(lb, 8);
  assert.equal(lb.stats('m0')?.requests, 4);
  assert.throws(() => lb.setAlgorithm('affinity'), { code: 'ERR_ARGUMENT' });
  assert.equal(lb.algorithm, 'weighted');
});
