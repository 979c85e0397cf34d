/**
 * Small versions of bench/events.ts (virtual time): a storm of user events while agents crash
 * leaves detection about as fast as without it and reaches every live agent; under 5% loss an
 * event reaches every agent within twice the time membership news takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, runSpread, runStorm } from '../../bench/events/scenario.js';

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
