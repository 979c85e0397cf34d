/**
 * Small versions of bench/events.ts (virtual time): a storm of user events while agents crash
 * leaves detection about as fast as without it and reaches every live agent; under 5% loss an
 * event reaches every agent within twice the time membership news takes; a query with relay
 * factor 2 gets its answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, runQueries, runSpread, runStorm } from '../../harness/events-scenario.js';

const SEED = Number(process.env.SIM_SEED ?? 1);
const known = (xs: (number | null)[]): number[] => xs.map((x) => (assert.notEqual(x, null, 'a crash was never detected by everyone'), x!));

test('50 events/s among 60 agents while 3 crash: every event reaches every live agent, detection about as fast as without', () => {
  const base = runStorm({ nodes: 60, seed: SEED, ratePerSec: 0, seconds: 12, kills: 3, drainMs: 10_000 });
  const storm = runStorm({ nodes: 60, seed: SEED, ratePerSec: 50, seconds: 12, kills: 3, drainMs: 10_000 });
  assert.equal(storm.events, 600);
  assert.equal(storm.eventsEverywhere, storm.events, `seed ${SEED}: ${storm.events - storm.eventsEverywhere} events missed some live agent`);
  assert.equal(storm.falsePositives, 0);
  const ratio = median(known(storm.allDeadMs)) / median(known(base.allDeadMs));
  assert.ok(ratio < 1.25, `seed ${SEED}: all-dead median ${ratio.toFixed(2)}× the run without events`);
});

test('under 5% loss an event reaches all 100 agents within twice the time a tag change takes', () => {
  const r = runSpread({ nodes: 100, seed: SEED, loss: 0.05, count: 5 });
  assert.equal(r.deliveredShare, 1, `seed ${SEED}`);
  assert.equal(r.withinTwiceMembership, 1, `seed ${SEED}: events ${r.eventAllHaveMs.join(',')} ms, tags ${r.tagAllHaveMs.join(',')} ms`);
  assert.equal(r.eventAllHaveMs.length, 5);
});

test('a query to 100 agents under 5% loss with relay factor 2 gets at least 99% of the answers', () => {
  const r = runQueries({ nodes: 100, seed: SEED, loss: 0.05, relay: 2, count: 3 });
  assert.ok(r.responseShare >= 0.99, `seed ${SEED}: ${(r.responseShare * 100).toFixed(1)}% of responses`);
  assert.ok(r.ackShare >= 0.99, `seed ${SEED}: ${(r.ackShare * 100).toFixed(1)}% of acks`);
  assert.equal(r.timeoutMs, 200 * 16 * 3, 'the default timeout scales with the cluster: gossip interval × 16 × ceil(log10(n+1))');
});
