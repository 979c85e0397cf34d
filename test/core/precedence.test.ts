import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MembershipTable } from '../../src/core/membership.js';
import { GOSSIP, judge, overrides, type Judge, type Via } from '../../src/core/precedence.js';
import type { MemberRecord } from '../../src/core/membership.js';
import * as M from '../../src/core/messages.js';
import { lan } from '../../src/config.js';
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
      const rows = (t: MembershipTable) =>
        [...t.values()]
          .map((r) => `${r.name}:${r.state}:${r.incarnation}`)
          .sort()
          .join();
      if (rows(x) === rows(y)) assert.equal(x.digest, y.digest);
      x.delete('a');
      y.delete('a');
      if (rows(x) === rows(y)) assert.equal(x.digest, y.digest, 'after a delete too');
    }),
  );
});

// ---- judge: the rules on top of the order (precedence.ts) ----------------------------------

const facts = (over: Partial<Judge['config']> = {}, live: readonly string[] = ['b', 'c'], sole = true, pruned: readonly string[] = []): Judge => ({
  config: { ...lan, ...over },
  liveMember: (n) => live.includes(n),
  soleAccuser: () => sole,
  pruned: (n) => pruned.includes(n),
});
const row = (state: MemberState, incarnation: number, address = 'm-addr'): MemberRecord => ({
  name: 'm',
  address,
  state,
  incarnation,
  tags: {},
  wireTags: [],
  stateChangedAt: 0,
});
const transfer = (row: M.Entry): Via => ({ kind: 'state-transfer', sender: 'b', row });

test('judge: one verdict on a member we hold live is an accusation; with a second observer it is a verdict', () => {
  const m = M.dead('m', 3, 'b');
  assert.deepEqual(judge(m, row('alive', 3), GOSSIP, facts()), { kind: 'suspect', claim: M.suspect('m', 3, 'b'), relay: true });
  assert.deepEqual(judge(m, row('suspect', 3), GOSSIP, facts({}, ['b', 'c'], false)), { kind: 'down', claim: m, relay: true });
  assert.deepEqual(
    judge(m, row('alive', 3), GOSSIP, facts({ activeConfirmation: false })),
    { kind: 'down', claim: m, relay: true },
    'without active confirmation, as SWIM',
  );
});

test("judge: a state transfer's death of a live member is only a suspicion, whatever the config; its other rows are not relayed", () => {
  const e = M.entry('m', 'm-addr', M.MemberCode.dead, 3, []);
  assert.deepEqual(judge(M.dead('m', 3, 'b'), row('alive', 3), transfer(e), facts({ activeConfirmation: false })), {
    kind: 'suspect',
    claim: M.suspect('m', 3, 'b'),
    relay: true,
  });
  assert.deepEqual(judge(M.dead('m', 4, 'b'), row('dead', 3), transfer(e), facts()), { kind: 'down', claim: M.dead('m', 4, 'b'), relay: false });
  assert.deepEqual(judge(M.dead('m', 3, 'b'), row('dead', 3), transfer(e), facts()), { kind: 'ignore' }, 'old news');
  const own = M.alive('m', 'm-addr', 4, []);
  assert.deepEqual(judge(own, row('alive', 3), transfer(e), facts()), { kind: 'alive', claim: own, reborn: false, relay: false }, "a third party's row of m");
  assert.deepEqual(
    judge(own, row('alive', 3), { kind: 'state-transfer', sender: 'm', row: e }, facts()),
    { kind: 'alive', claim: own, reborn: false, relay: true },
    "m's own row",
  );
});

test('judge: a departed member we never knew is adopted only with an age under the reap age', () => {
  const aged = (age: number | undefined) =>
    transfer(age === undefined ? M.entry('m', 'm-addr', M.MemberCode.dead, 1, []) : M.agedEntry('m', 'm-addr', M.MemberCode.dead, 1, [], age));
  assert.deepEqual(judge(M.dead('m', 1, 'b'), undefined, aged(undefined), facts()), { kind: 'ignore' });
  assert.deepEqual(judge(M.dead('m', 1, 'b'), undefined, aged(lan.reapFailedAfterMs), facts()), { kind: 'ignore' });
  const young = aged(5);
  assert.equal(judge(M.dead('m', 1, 'b'), undefined, young, facts()).kind, 'adopt');
  assert.deepEqual(judge(M.dead('m', 1, 'b'), undefined, GOSSIP, facts()), { kind: 'ignore' }, 'gossip about a stranger says nothing');
});

test('judge: a prune forgets only a member held departed at no newer incarnation; a pruned name is not adopted back', () => {
  const prune = M.left('m', 3, true);
  assert.deepEqual(judge(prune, row('dead', 3), GOSSIP, facts()), { kind: 'prune', claim: prune, relay: true });
  assert.deepEqual(judge(prune, row('left', 2), GOSSIP, facts()), { kind: 'prune', claim: prune, relay: true });
  assert.deepEqual(judge(prune, row('alive', 3), GOSSIP, facts()), { kind: 'drop', reason: 'left-while-live' }, "a live member is the protocol's to judge");
  assert.notEqual(judge(prune, row('dead', 4), GOSSIP, facts()).kind, 'prune', 'a newer life is not the one pruned');
  assert.deepEqual(judge(prune, undefined, GOSSIP, facts()), { kind: 'ignore' }, 'already forgotten');
  const young = transfer(M.agedEntry('m', 'm-addr', M.MemberCode.left, 3, [], 5));
  assert.equal(judge(M.left('m', 3), undefined, young, facts()).kind, 'adopt');
  assert.deepEqual(
    judge(M.left('m', 3), undefined, young, facts({}, ['b', 'c'], true, ['m'])),
    { kind: 'remind-pruned', name: 'm' },
    'pruned here lately: not adopted, the sender is reminded',
  );
});

test('judge: a live member does not move, a third party cannot make it leave, and only live accusers confirm', () => {
  const moved = M.alive('m', 'other-addr', 9, []);
  assert.deepEqual(judge(moved, row('suspect', 3), GOSSIP, facts()), { kind: 'conflict', claim: moved });
  assert.deepEqual(judge(M.left('m', 3), row('alive', 3), GOSSIP, facts()), { kind: 'drop', reason: 'left-while-live' });
  assert.equal(judge(M.left('m', 4), row('alive', 3), GOSSIP, facts()).kind, 'down', "the member's own leave raises its incarnation");
  assert.equal(judge(M.suspect('m', 3, 'c'), row('suspect', 3), GOSSIP, facts()).kind, 'confirm');
  assert.equal(judge(M.suspect('m', 3, 'made-up'), row('suspect', 3), GOSSIP, facts()).kind, 'ignore');
  assert.equal(judge(M.suspect('m', 3, 'm'), row('suspect', 3), GOSSIP, facts({}, ['m', 'b'])).kind, 'ignore', 'not the suspect itself');
  assert.deepEqual(judge(M.suspect('m', 2, 'b'), row('left', 3), GOSSIP, facts()), { kind: 'remind-left' });
  assert.equal(judge(M.suspect('m', 5, 'b'), row('dead', 3), GOSSIP, facts()).kind, 'ignore', 'an accusation never raises a dead row');
});

test('judge: an alive claim newer than our verdict is vetted with flap damping on, and a new life is reborn', () => {
  const claim = M.alive('m', 'm-addr', 4, []);
  assert.deepEqual(judge(claim, row('dead', 3), GOSSIP, facts()), { kind: 'vet', claim, relay: true });
  assert.deepEqual(judge(claim, row('dead', 3), GOSSIP, facts({ flapDamping: false })), { kind: 'alive', claim, reborn: false, relay: true });
  const reborn = M.alive('m', 'm-addr', 4, [], 4);
  assert.deepEqual(judge(reborn, row('left', 3), GOSSIP, facts()), { kind: 'alive', claim: reborn, reborn: true, relay: true });
  assert.deepEqual(judge(M.alive('m', 'm-addr', 2 ** 30, []), row('alive', 3), GOSSIP, facts()), { kind: 'drop', reason: 'incarnation-jump' });
});
