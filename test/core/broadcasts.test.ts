/**
 * Step traces of the piggyback queue (broadcasts.ts): which updates each packet takes, in which
 * order, how often, and what is refused. Sizes are given per name, so every step is exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/core/messages.js';
import { BroadcastQueue } from '../../src/core/broadcasts.js';

/** A queue whose messages cost `sizes[name]` bytes (10 by default). */
function queue(sizes: Record<string, number> = {}, maxSize = Infinity): BroadcastQueue {
  return new BroadcastQueue((m) => sizes[(m as M.Alive).name] ?? 10, maxSize);
}
const news = (name: string, inc = 0) => M.alive(name, `${name}-addr`, inc, []);
/** One packet of `budget` bytes: the names taken, in order. */
function take(q: BroadcastQueue, budget: number, limit: number): string[] {
  const out: M.Message[] = [];
  q.take(budget, limit, out);
  return out.map((m) => (m as M.Alive).name);
}

test('least-sent first, newest first among equals, and each update at most `limit` times', () => {
  const q = queue();
  for (const n of ['a', 'b', 'c']) q.enqueue(news(n), n);
  assert.deepEqual(take(q, 25, 2), ['c', 'b'], 'two fit; the newest first');
  assert.deepEqual([q.transmitsOf('a'), q.transmitsOf('b'), q.transmitsOf('c')], [0, 1, 1]);
  assert.deepEqual(take(q, 25, 2), ['a', 'b'], 'the unsent one before those sent once');
  assert.equal(q.transmitsOf('b'), undefined, 'b reached the limit: retired');
  assert.deepEqual(take(q, 25, 2), ['a', 'c']);
  assert.equal(q.pending, 0);
  assert.deepEqual(take(q, 25, 2), []);
});

test('newer news about a key replaces the older, which is never sent again', () => {
  const q = queue();
  q.enqueue(news('a', 0), 'a');
  q.enqueue(news('b', 0), 'b');
  assert.deepEqual(take(q, 100, 3), ['b', 'a']);
  q.enqueue(news('a', 1), 'a');
  assert.equal(q.transmitsOf('a'), 0, 'counted afresh');
  const out: M.Message[] = [];
  q.take(100, 3, out);
  assert.deepEqual(
    out.map((m) => [(m as M.Alive).name, (m as M.Alive).inc]),
    [
      ['a', 1],
      ['b', 0],
    ],
  );
  assert.equal(q.pending, 2);
});

test('a packet takes what fits: a big update waits while smaller ones behind it go', () => {
  const q = queue({ big: 60, s1: 15, s2: 15 });
  q.enqueue(news('s1'), 's1');
  q.enqueue(news('s2'), 's2');
  q.enqueue(news('big'), 'big');
  assert.deepEqual(take(q, 40, 5), ['s2', 's1'], 'big (newest) does not fit in 40; the two small ones do');
  assert.equal(q.transmitsOf('big'), 0);
  assert.deepEqual(take(q, 60, 5), ['big'], 'alone, it fits');
});

test('an update bigger than any packet is refused, and the older one under its key is dropped too', () => {
  const q = queue({ a: 10, huge: 200 }, 100);
  assert.equal(q.enqueue(news('a'), 'k'), true);
  assert.equal(q.enqueue(news('huge'), 'k'), false);
  assert.equal(q.pending, 0);
  assert.equal(q.transmitsOf('k'), undefined);
  assert.deepEqual(take(q, 1000, 5), []);
});

test('a lower limit (a smaller cluster) retires updates already sent that often', () => {
  const q = queue();
  q.enqueue(news('a'), 'a');
  q.enqueue(news('b'), 'b');
  assert.deepEqual(take(q, 100, 4), ['b', 'a']);
  // Among updates sent equally often, the one taken last goes first next time: they rotate.
  assert.deepEqual(take(q, 100, 4), ['a', 'b']);
  assert.deepEqual(take(q, 100, 2), [], 'sent twice already: the new limit retires both');
  assert.equal(q.pending, 0);
});

test('a full queue drops the most-sent message to take a new one, and counts it', () => {
  const q = new BroadcastQueue(() => 10, Infinity, 3);
  for (const n of ['a', 'b', 'c']) q.enqueue(news(n), n);
  assert.deepEqual(take(q, 10, 9), ['c'], 'c sent once');
  assert.deepEqual(take(q, 10, 9), ['b'], 'then b');
  assert.deepEqual(take(q, 10, 9), ['a'], 'then a: all sent once');
  assert.deepEqual(take(q, 10, 9), ['a'], 'a sent twice now: the most sent');
  q.enqueue(news('d'), 'd');
  assert.equal(q.pending, 3, 'still at the bound');
  assert.equal(q.transmitsOf('a'), undefined, 'the most-sent one went');
  assert.equal(q.dropped, 1);
  assert.deepEqual(take(q, 30, 9), ['d', 'b', 'c'], 'the new one first, then the others');
});
