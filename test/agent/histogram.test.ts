/** The observer's fixed-bucket histograms: each value in the first bucket whose bound holds it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram } from '../../src/agent/histogram.js';

test('values land in the first bucket whose upper bound holds them; sum and count follow', () => {
  const h = new Histogram([0.01, 0.1, 1]);
  for (const v of [0.005, 0.01, 0.05, 2, Number.NaN]) h.observe(v);
  const s = h.snapshot();
  assert.deepEqual(s.counts, [2, 1, 0, 1], 'a bound is inclusive (le); over the last bound goes to +Inf; NaN is ignored');
  assert.equal(s.count, 4);
  assert.ok(Math.abs(s.sum - 2.065) < 1e-12);
  assert.throws(() => new Histogram([1, 1]), /ascend/);
});
