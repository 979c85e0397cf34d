/** Config: documented defaults, and validation that names every bad field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBalancerConfig, resolveBalancerConfig, type BalancerConfig } from '../../src/balancer/index.js';

test('defaults apply when nothing is given', () => {
  assert.deepEqual(resolveBalancerConfig(), { ...defaultBalancerConfig });
  assert.equal(resolveBalancerConfig({ decayMs: 5 }).decayMs, 5);
});

test('each bad field is named, all at once', () => {
  const bad = {
    algorithm: 'fastest',
    decayMs: 0,
    initialLatencyMs: -1,
    latencyAlpha: 2,
    ejectAfterErrors: 1.5,
    baseEjectionMs: Number.NaN,
    maxEjectionPercent: 101,
    replicas: 0,
    weightTag: '',
    bogus: 1,
  } as unknown as Partial<BalancerConfig>;
  try {
    resolveBalancerConfig(bad);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof Error);
    assert.equal((e as { code?: string }).code, 'ERR_CONFIG');
    for (const field of Object.keys(bad)) assert.match(e.message, new RegExp(field), field);
  }
});

test('maxEjectionMs below baseEjectionMs is refused', () => {
  assert.throws(() => resolveBalancerConfig({ baseEjectionMs: 1000, maxEjectionMs: 10 }), {
    code: 'ERR_CONFIG',
    message: /maxEjectionMs \(10\) must be >= baseEjectionMs \(1000\)/,
  });
});
