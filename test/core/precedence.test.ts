import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MembershipTable } from '../../src/core/membership.js';
import { overrides } from '../../src/core/precedence.js';
import type { MemberState } from '../../src/core/types.js';

const state = fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left');
const claim = fc.record({ state, incarnation: fc.nat(20) });
const rank = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;

test('a higher incarnation always wins, whatever the states', () => {
  fc.assert(
    fc.property(state, state, fc.nat(100), fc.integer({ min: 1, max: 100 }), (a, b, inc, d) => {
      assert.equal(overrides(a, inc + d, { state: b, incarnation: inc }), true);
      assert.equal(overrides(a, inc, { state: b, incarnation: inc + d }), false);
    }),
  );
});

test('at equal incarnation left > dead > suspect > alive, and nothing overrides itself', () => {
  fc.assert(
    fc.property(state, state, fc.nat(100), (a, b, inc) => {
      assert.equal(overrides(a, inc, { state: b, incarnation: inc }), rank[a] > rank[b]);
    }),
  );
});

test('precedence is a strict order: never both ways, and transitive', () => {
  fc.assert(
    fc.property(claim, claim, claim, (x, y, z) => {
      const xy = overrides(x.state, x.incarnation, y);
      const yx = overrides(y.state, y.incarnation, x);
      assert.ok(!(xy && yx));
      if (xy && overrides(y.state, y.incarnation, z)) assert.ok(overrides(x.state, x.incarnation, z));
    }),
  );
});

test('the table ends in the same state whatever order the claims arrive in', () => {
  fc.assert(
    fc.property(fc.array(claim, { minLength: 1, maxLength: 12 }), fc.nat(), (claims, seed) => {
      const apply = (order: typeof claims) => {
        const t = new MembershipTable();
        t.apply({ name: 'm', state: 'alive', incarnation: 0, address: 'a' }, 0);
        for (const c of order) t.apply({ name: 'm', ...c }, 1);
        const r = t.get('m')!;
        return `${r.state}:${r.incarnation}`;
      };
      const shuffled = [...claims].sort((p, q) => ((p.incarnation * 31 + rank[p.state] + seed) % 7) - ((q.incarnation * 31 + rank[q.state] + seed) % 7));
      assert.equal(apply(claims), apply(shuffled));
    }),
  );
});

test('events: join, suspect, alive (recovered), failed, left, and a rejoin after leaving', () => {
  const t = new MembershipTable();
  const ev = (r: ReturnType<MembershipTable['apply']>) => r.event?.type ?? null;
  assert.equal(ev(t.apply({ name: 'm', state: 'alive', incarnation: 0, address: 'a' }, 0)), 'join');
  assert.equal(ev(t.apply({ name: 'm', state: 'suspect', incarnation: 0 }, 1)), 'suspect');
  assert.equal(ev(t.apply({ name: 'm', state: 'alive', incarnation: 1, address: 'a' }, 2)), 'alive');
  assert.equal(ev(t.apply({ name: 'm', state: 'alive', incarnation: 2, address: 'a', wireTags: ['zone', 'b'] }, 3)), 'update');
  assert.equal(ev(t.apply({ name: 'm', state: 'dead', incarnation: 2 }, 4)), 'failed');
  assert.equal(ev(t.apply({ name: 'm', state: 'left', incarnation: 2 }, 5)), 'left');
  assert.equal(ev(t.apply({ name: 'm', state: 'dead', incarnation: 2 }, 6)), null, 'dead never overrides left at equal incarnation');
  assert.equal(ev(t.apply({ name: 'm', state: 'alive', incarnation: 3, address: 'b' }, 7)), 'join');
  assert.equal(t.get('m')!.address, 'b');
  assert.equal(t.liveCount, 1);
  assert.equal(t.aliveCount, 1);
});

test('the table digest depends on the rows, not on the order they arrived in', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), claim), { minLength: 1, maxLength: 15 }), (claims) => {
      const build = (order: typeof claims) => {
        const t = new MembershipTable();
        for (const [name] of order) t.apply({ name, state: 'alive', incarnation: 0, address: name }, 0);
        for (const [name, c] of order) t.apply({ name, ...c }, 1);
        return t;
      };
      const x = build(claims);
      const y = build([...claims].reverse());
      const rows = (t: MembershipTable) => [...t.values()].map((r) => `${r.name}:${r.state}:${r.incarnation}`).sort().join();
      if (rows(x) === rows(y)) assert.equal(x.digest, y.digest);
      x.delete('a');
      y.delete('a');
      if (rows(x) === rows(y)) assert.equal(x.digest, y.digest, 'after a delete too');
    }),
  );
});
