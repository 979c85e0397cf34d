import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pushPullIntervalMs, retransmitLimit, suspicionTimeoutMs, joinAttemptTimeoutMs } from '../../src/core/timing.js';

test('suspicion timeout: mult × max(1, log10 n) × interval (memberlist LAN examples)', () => {
  const cases: [number, number][] = [
    [1, 4000],
    [5, 4000],
    [10, 4000],
    [100, 8000],
    [1000, 12000],
    [10_000, 16000],
  ];
  for (const [n, want] of cases) assert.equal(suspicionTimeoutMs(4, n, 1000), want, `n=${n}`);
  assert.equal(suspicionTimeoutMs(4, 0, 1000), 4000, 'n=0 floors the log at 1');
});

test('retransmit limit: mult × ceil(log10(n + 1))', () => {
  const cases: [number, number][] = [
    [1, 4],
    [9, 4],
    [10, 8],
    [99, 8],
    [100, 12],
    [1000, 16],
  ];
  for (const [n, want] of cases) assert.equal(retransmitLimit(4, n), want, `n=${n}`);
});

test('push-pull interval stretches above 32 members (memberlist pushPullScale)', () => {
  assert.equal(pushPullIntervalMs(30_000, 10), 30_000);
  assert.equal(pushPullIntervalMs(30_000, 32), 30_000);
  assert.equal(pushPullIntervalMs(30_000, 33), 60_000);
  assert.equal(pushPullIntervalMs(30_000, 1000), 180_000);
  assert.equal(pushPullIntervalMs(30_000, 2000), 210_000);
});

test('join attempts wait twice as long each time', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((a) => joinAttemptTimeoutMs(1000, a)),
    [1000, 2000, 4000, 8000],
  );
});
