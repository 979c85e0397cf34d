/** The main-thread watch as a step trace: counter readings and times in, busy/ok verdicts out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beatIntervalMs, HostWatch } from '../../src/embed/host-watch.js';
import { HealthTagOverlay } from '../../src/embed/tag-overlay.js';

test('busy once the counter has not moved for longer than the threshold; ok once it ran steadily as long again', () => {
  const w = new HostWatch(1000, 0, 0);
  let beat = 0;
  const verdicts: string[] = [];
  const at = (t: number, moved: boolean): void => {
    if (moved) beat++;
    const v = w.sample(beat, t);
    if (v) verdicts.push(`${t}:${v}`);
  };
  for (let t = 100; t <= 1000; t += 100) at(t, true); // running
  for (let t = 1100; t <= 2000; t += 100) at(t, false); // blocked from 1000: 1000 ms is not over the threshold
  assert.deepEqual(verdicts, []);
  at(2100, false); // 1100 ms without a beat
  assert.deepEqual(verdicts, ['2100:busy']);
  for (let t = 2200; t <= 4000; t += 100) at(t, false);
  at(4100, true); // runs again at 4100: recovery starts
  for (let t = 4200; t <= 5000; t += 100) at(t, true);
  assert.deepEqual(verdicts, ['2100:busy'], 'still busy: not yet steady for 1000 ms');
  at(5100, true);
  assert.deepEqual(verdicts, ['2100:busy', '5100:ok']);
  const s = w.stats();
  assert.equal(s.busy, false);
  assert.equal(s.busySpells, 1);
  assert.equal(s.longestStallMs, 3100);
});

test('a new stall during recovery keeps it busy and restarts the wait', () => {
  const w = new HostWatch(500, 0, 0);
  let beat = 0;
  const out: string[] = [];
  const step = (t: number, moved: boolean): void => {
    if (moved) beat++;
    const v = w.sample(beat, t);
    if (v) out.push(`${t}:${v}`);
  };
  step(600, false); // busy
  step(700, true); // recovery from 700
  step(800, true);
  step(1400, false); // 600 ms silent again: recovery void
  step(1500, true); // recovery from 1500
  step(1900, true);
  step(2000, true); // 500 ms steady
  assert.deepEqual(out, ['600:busy', '2000:ok']);
  assert.equal(w.stats().busySpells, 1, 'one spell: it never was ok in between');
});

test('the beat interval is a quarter of the threshold within [10, 250] ms', () => {
  assert.equal(beatIntervalMs(100), 25);
  assert.equal(beatIntervalMs(1000), 250);
  assert.equal(beatIntervalMs(60_000), 250);
  assert.equal(beatIntervalMs(20), 10);
});

test('the health tag overlay keeps user tags and the busy tag apart', () => {
  const applied: Record<string, string>[] = [];
  const o = new HealthTagOverlay('health', { zone: 'a' }, (t) => void applied.push({ ...t }));
  assert.equal(o.setBusy(true), true);
  assert.equal(o.setBusy(true), false, 'no change, nothing applied');
  // A user who reads self().tags back while busy and adds a tag does not make busy stick.
  o.setUser({ zone: 'a', health: 'busy', role: 'db' });
  o.setBusy(false);
  o.setUser({ zone: 'a', health: 'draining' });
  assert.deepEqual(applied, [
    { zone: 'a', health: 'busy' },
    { zone: 'a', role: 'db', health: 'busy' },
    { zone: 'a', role: 'db' },
    { zone: 'a', health: 'draining' },
  ]);
  const failing = new HealthTagOverlay('health', {}, () => {
    throw new Error('too large');
  });
  assert.throws(() => failing.setBusy(true), /too large/);
  assert.throws(() => failing.setBusy(true), /too large/, 'a failed apply changed nothing, so it is tried again');
});
