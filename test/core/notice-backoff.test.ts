/** Step trace of the notice backoff (notice-backoff.ts): exact times a notice to an address is allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoticeBackoff } from '../../src/core/notice-backoff.js';

test('at once, then after 1, 2, 4 ... 64 base waits, per address, whatever else is told', () => {
  const b = new NoticeBackoff(1_000);
  const allowed: number[] = [];
  const other: number[] = [];
  for (let t = 0; t <= 300_000; t += 100) {
    if (b.allow('v', t)) allowed.push(t);
    // Another address, told from 50 s on: its own wait, not v's.
    if (t >= 50_000 && b.allow('other', t)) other.push(t);
  }
  assert.deepEqual(allowed, [0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 127_000, 191_000, 255_000]);
  assert.deepEqual(other, [50_000, 51_000, 53_000, 57_000, 65_000, 81_000, 113_000, 177_000, 241_000]);
});

test('an address left quiet for two of the longest waits starts over', () => {
  const b = new NoticeBackoff(1_000);
  for (const t of [0, 1_000, 3_000, 7_000]) assert.equal(b.allow('v', t), true);
  assert.equal(b.allow('v', 8_000), false, 'the wait is 8 s now');
  const quiet = 7_000 + 2 * 1_000 * 64 + 1;
  assert.equal(b.allow('v', quiet), true);
  assert.equal(b.allow('v', quiet + 999), false);
  assert.equal(b.allow('v', quiet + 1_000), true, 'back to one base wait');
});

test('memory is bounded: the least recently told address is forgotten first', () => {
  const b = new NoticeBackoff(1_000);
  for (let i = 0; i <= 1024; i++) assert.equal(b.allow(`a${i}`, 0), true);
  // a0 was forgotten (1025 addresses): it is told again at once; a1024, remembered, waits.
  assert.equal(b.allow('a0', 10), true);
  assert.equal(b.allow('a1024', 10), false);
});
