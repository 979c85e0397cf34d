import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Member, MemberEvent, MemberEventType, MemberState } from '../../src/core/types.js';
import { RingFeed, type RingChange } from '../../src/ring/feed.js';
import { HashRing } from '../../src/ring/hash-ring.js';
import { hashKey } from '../../src/ring/hash.js';
import type { RangeMove } from '../../src/ring/diff.js';

const TYPE: Record<MemberState, MemberEventType> = { alive: 'alive', suspect: 'suspect', dead: 'failed', left: 'left' };

function ev(name: string, state: MemberState, incarnation = 0, tags: Record<string, string> = {}): MemberEvent {
  const member: Member = { name, address: `${name}:7946`, state, incarnation, tags, stateChangedAt: 0 };
  return { type: TYPE[state], member, previous: undefined };
}

/** Owner a list of moves says `hash` went to, or undefined if no move covers it. */
function movedTo(moves: readonly RangeMove[], hash: number): RangeMove | undefined {
  return moves.find((m) => m.start <= hash && hash <= m.end);
}

test('alive and suspect are on the ring; failed and left are not', () => {
  const feed = new RingFeed(new HashRing({ vnodes: 8 }));
  feed.applyAll([ev('a', 'alive'), ev('b', 'alive'), ev('c', 'alive')]);
  assert.deepEqual(feed.ring.members(), ['a', 'b', 'c']);
  assert.equal(feed.apply(ev('b', 'suspect')), undefined, 'suspect stays: no change');
  feed.apply(ev('b', 'dead'));
  feed.apply(ev('c', 'left'));
  assert.deepEqual(feed.ring.members(), ['a']);
  const change = feed.apply({ type: 'update', member: ev('b', 'dead').member, previous: 'dead' });
  assert.equal(change, undefined, 'an update of a dead member does not bring it back');
});

test('ring-changed carries added/removed/updated and the moved ranges', () => {
  const feed = new RingFeed(new HashRing({ vnodes: 16 }));
  const seen: RingChange[] = [];
  const off = feed.on('ring-changed', (c) => seen.push(c));
  feed.applyAll([ev('a', 'alive'), ev('b', 'alive')]);
  assert.equal(seen.length, 1, 'one event per batch');
  assert.deepEqual(seen[0]!.added, ['a', 'b']);
  // From an empty ring, the whole hash space moves from nobody, in contiguous ranges.
  const first = seen[0]!.moves;
  assert.equal(first[0]!.start, 0);
  assert.equal(first[first.length - 1]!.end, 0xffffffff);
  for (let i = 1; i < first.length; i++) assert.equal(first[i]!.start, first[i - 1]!.end + 1);
  for (const m of first) assert.equal(m.from, undefined);

  const keys = Array.from({ length: 2000 }, (_, i) => `key-${i}`);
  const owners = keys.map((k) => feed.ring.lookup(k));
  const c = feed.apply(ev('c', 'alive', 0, { weight: '2' }));
  assert.ok(c);
  assert.deepEqual(c.added, ['c']);
  assert.equal(c.checksum, feed.ring.checksum());
  keys.forEach((k, i) => {
    const now = feed.ring.lookup(k);
    const m = movedTo(c.moves, hashKey(k));
    if (now === owners[i]) assert.equal(m, undefined, `${k} did not move`);
    else assert.deepEqual([m?.from, m?.to], [owners[i], 'c']);
  });
  for (const m of c.moves) assert.equal(m.to, 'c', 'a join only moves ranges to the newcomer');

  const u = feed.apply(ev('c', 'alive', 1, { weight: '1' }));
  assert.deepEqual(u?.updated, ['c']);
  for (const m of u?.moves ?? []) assert.equal(m.from, 'c', 'lower weight only gives ranges away');

  const r = feed.apply(ev('a', 'dead', 1));
  assert.deepEqual(r?.removed, ['a']);
  for (const m of r?.moves ?? []) assert.equal(m.from, 'a');
  off();
  feed.apply(ev('a', 'alive', 2));
  assert.equal(seen.length, 4, 'unsubscribed listener is not called');
});

test('moves are hash-ordered, disjoint, and cover exactly the keys that changed owner', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(7), fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left')), { maxLength: 12 }),
      (ns, steps) => {
        const feed = new RingFeed(new HashRing({ vnodes: 4 }));
        feed.applyAll(ns.map((n) => ev(n, 'alive')));
        for (const [i, state] of steps) {
          const name = ns[i % ns.length]!;
          const keys = Array.from({ length: 200 }, (_, k) => `k${k}`);
          const owners = keys.map((k) => feed.ring.lookup(k));
          const c = feed.apply(ev(name, state));
          const moves = c?.moves ?? [];
          for (let m = 1; m < moves.length; m++) assert.ok(moves[m - 1]!.end < moves[m]!.start);
          keys.forEach((k, j) => {
            const m = movedTo(moves, hashKey(k));
            const now = feed.ring.lookup(k);
            if (m === undefined) assert.equal(now, owners[j]);
            else assert.deepEqual([m.from, m.to], [owners[j], now]);
          });
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('two rings fed the same events in different interleavings agree (checksum and owners)', () => {
  // Each member's own events keep their order (as any agent sees them after SWIM precedence);
  // the interleaving across members differs from agent to agent.
  const perMember = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }).chain((ns) =>
    fc.tuple(
      ...ns.map((name) =>
        fc
          .array(fc.tuple(fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left'), fc.constantFrom('1', '2')), {
            minLength: 1,
            maxLength: 4,
          })
          .map((seq) => seq.map(([state, weight], inc) => ev(name, state, inc, { weight }))),
      ),
    ),
  );
  const interleave = (lists: MemberEvent[][], picks: number[]): MemberEvent[] => {
    const queues = lists.map((l) => [...l]);
    const out: MemberEvent[] = [];
    let p = 0;
    while (queues.some((q) => q.length > 0)) {
      const live = queues.filter((q) => q.length > 0);
      out.push(live[(picks[p++ % Math.max(1, picks.length)] ?? 0) % live.length]!.shift()!);
    }
    return out;
  };
  fc.assert(
    fc.property(perMember, fc.array(fc.nat()), fc.array(fc.nat()), (lists, p1, p2) => {
      const a = new RingFeed(new HashRing({ vnodes: 8 }));
      const b = new RingFeed(new HashRing({ vnodes: 8 }));
      for (const e of interleave(lists, p1)) a.apply(e);
      b.applyAll(interleave(lists, p2));
      assert.equal(a.ring.checksum(), b.ring.checksum());
      assert.deepEqual(a.ring.members(), b.ring.members());
      for (let k = 0; k < 50; k++) assert.equal(a.ring.lookup(`k${k}`), b.ring.lookup(`k${k}`));
    }),
  );
});

test('reset makes the ring hold exactly the on-ring members of a snapshot', () => {
  const feed = new RingFeed(new HashRing({ vnodes: 8 }));
  feed.applyAll([ev('a', 'alive'), ev('b', 'alive')]);
  const c = feed.reset([ev('b', 'suspect').member, ev('c', 'alive').member, ev('d', 'dead').member]);
  assert.deepEqual(feed.ring.members(), ['b', 'c']);
  assert.deepEqual(c?.added, ['c']);
  assert.deepEqual(c?.removed, ['a']);
});
