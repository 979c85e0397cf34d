import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lan, local, resolveConfig, wan } from '../src/config.js';
import { ClusterError } from '../src/errors.js';

test('profiles start from memberlist defaults', () => {
  assert.equal(lan.probeIntervalMs, 1000);
  assert.equal(lan.probeTimeoutMs, 500);
  assert.equal(lan.indirectChecks, 3);
  assert.equal(lan.suspicionMult, 4);
  assert.equal(lan.retransmitMult, 4);
  assert.equal(lan.gossipIntervalMs, 200);
  assert.equal(lan.gossipNodes, 3);
  assert.equal(lan.pushPullIntervalMs, 30_000);
  assert.equal(wan.probeIntervalMs, 5000);
  assert.equal(local.probeTimeoutMs, 200);
  // Each profile is valid as it stands: resolving it without overrides gives it back unchanged.
  for (const [p, profile] of [
    ['lan', lan],
    ['wan', wan],
    ['local', local],
  ] as const) {
    const resolved = resolveConfig({}, p);
    for (const [k, v] of Object.entries(profile)) assert.deepEqual(resolved[k as keyof typeof resolved], v, `${p}.${k}`);
  }
});

test('validation names every bad field at once, and unknown fields', () => {
  try {
    resolveConfig({ probeTimeoutMs: 2000, gossipNodes: -1, probeIntervalMS: 5 });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ClusterError);
    assert.equal(e.code, 'ERR_CONFIG');
    assert.match(e.message, /probeTimeoutMs \(2000\): must be less than probeIntervalMs \(1000\)/);
    assert.match(e.message, /gossipNodes \(-1\)/);
    assert.match(e.message, /probeIntervalMS: unknown setting/);
  }
  assert.throws(() => resolveConfig({ suspicionMult: 'x' as unknown as number }), /suspicionMult: must be a number/);
});

test('replayWindowMs: 10 minutes in every profile, below both reap times or 0', () => {
  for (const p of [lan, wan, local]) assert.equal(p.replayWindowMs, 600_000);
  assert.throws(
    () => resolveConfig({ reapLeftAfterMs: 300_000 }),
    (e: unknown) =>
      e instanceof ClusterError &&
      /replayWindowMs \(600000\): must be less than reapFailedAfterMs \(86400000\) and reapLeftAfterMs \(300000\), or 0/.test(e.message),
  );
  assert.equal(resolveConfig({ reapLeftAfterMs: 300_000, replayWindowMs: 0 }).replayWindowMs, 0);
  assert.equal(resolveConfig({ reapLeftAfterMs: 300_000, replayWindowMs: 120_000 }).replayWindowMs, 120_000);
  assert.throws(() => resolveConfig({ replayWindowMs: -1 }), /replayWindowMs \(-1\)/);
});

test('flapHalfLifeMs must be a positive integer, named in the error', () => {
  assert.throws(() => resolveConfig({ flapHalfLifeMs: 0 }), /flapHalfLifeMs \(0\): must be an integer > 0/);
  assert.equal(resolveConfig({}, 'lan').flapHalfLifeMs, 300_000);
  assert.equal(resolveConfig({}, 'wan').readmitAfterMs, 10_000);
});

test('coordinates: on with 8 axes by default; the axes are bounded, the switch is a boolean', () => {
  assert.equal(lan.coordinates, true);
  assert.equal(lan.coordinateDimensions, 8);
  assert.throws(() => resolveConfig({ coordinateDimensions: 17 }), /coordinateDimensions \(17\): must be at most 16/);
  assert.throws(() => resolveConfig({ coordinateDimensions: 0 }), /coordinateDimensions \(0\): must be an integer > 0/);
  assert.throws(() => resolveConfig({ coordinates: 'yes' as unknown as boolean }), /coordinates: must be true or false/);
  assert.equal(resolveConfig({ coordinates: false }).coordinates, false);
});
