import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MembershipTable, type MemberRecord } from '../../src/core/membership.js';
import { isLive } from '../../src/core/types.js';
import { createInterner } from '../../src/core/intern.js';
import { fnv1a32 } from '../../src/core/hash.js';
import type { MemberState } from '../../src/core/types.js';

// Issue 16: the table keeps one copy of each name, address and tag set per process, and frees
// them when the last row holding them goes, so a process with churning names stays bounded.

test('tables sharing pools hold one copy of each name, address and tag set, freed with the last row', () => {
  const pools = createInterner();
  const tables = [new MembershipTable(pools), new MembershipTable(pools), new MembershipTable(pools)];
  for (const t of tables) {
    for (let i = 0; i < 100; i++) t.apply({ name: `n${i}`, state: 'alive', incarnation: 0, address: `10.0.0.${i}:7946`, wireTags: ['zone', `z${i % 3}`] }, 0);
  }
  assert.equal(pools.names.size, 100);
  assert.equal(pools.addresses.size, 100);
  assert.equal(pools.tags.size, 3);
  assert.deepEqual(tables[1]!.get('n4')!.tags, { zone: 'z1' });
  for (const [k, t] of tables.entries()) for (let i = 0; i < 100; i += k + 1) t.delete(`n${i}`);
  // n0, n6, n12, ... (every multiple of 6, 1 and 2 and 3) are gone from all three tables.
  const heldSomewhere = Array.from({ length: 100 }, (_, i) => i).filter((i) => tables.some((t) => t.get(`n${i}`) !== undefined));
  assert.equal(pools.names.size, heldSomewhere.length);
  assert.equal(pools.addresses.size, heldSomewhere.length);
  for (const t of tables) for (let i = 0; i < 100; i++) t.delete(`n${i}`);
  assert.equal(pools.names.size, 0);
  assert.equal(pools.addresses.size, 0);
  assert.equal(pools.tags.size, 0);
  // Freed ids are reused: a new generation of names does not grow the pool's arrays.
  const capacity = pools.names.capacity;
  for (let i = 0; i < 100; i++) tables[0]!.apply({ name: `m${i}`, state: 'alive', incarnation: 0, address: `10.1.0.${i}:7946` }, 5);
  assert.equal(pools.names.capacity, capacity);
  assert.equal(tables[0]!.get('m7')!.address, '10.1.0.7:7946');
  assert.equal(tables[1]!.get('m7'), undefined);
});

const state = fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left');
const op = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), who: fc.nat(12), state, inc: fc.nat(4), addr: fc.nat(3), zone: fc.nat(2) }),
  fc.record({ kind: fc.constant('delete' as const), who: fc.nat(12) }),
);

test('the compact table behaves as a Map of rows: same rows, same order, same counts and addresses', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const table = new MembershipTable(createInterner());
      const model = new Map<string, MemberRecord>();
      let now = 0;
      for (const o of ops) {
        now += 10;
        const name = `m${o.who}`;
        if (o.kind === 'delete') {
          table.delete(name);
          model.delete(name);
          continue;
        }
        const alive = o.state === 'alive';
        const claim = {
          name,
          state: o.state,
          incarnation: o.inc,
          ...(alive || !model.has(name) ? { address: `a${o.addr}`, wireTags: ['zone', `z${o.zone}`] } : {}),
        };
        const r = table.apply(claim, now);
        const held = model.get(name);
        const wins = held === undefined ? true : o.inc > held.incarnation || (o.inc === held.incarnation && rank(o.state) > rank(held.state));
        assert.equal(r.changed, wins);
        if (wins) {
          const address = claim.address ?? held!.address;
          const wireTags = claim.wireTags ?? held!.wireTags;
          model.set(name, {
            name,
            address,
            state: o.state,
            incarnation: o.inc,
            wireTags,
            tags: Object.fromEntries([[wireTags[0]!, wireTags[1]!]]),
            stateChangedAt: held && held.state === o.state ? held.stateChangedAt : now,
          });
        }
      }
      assert.deepEqual([...table.values()].map(plain), [...model.values()].map(plain));
      const rows = [...model.values()];
      assert.equal(table.size, rows.length);
      assert.equal(table.liveCount, rows.filter((r) => isLive(r.state)).length);
      assert.equal(table.aliveCount, rows.filter((r) => r.state === 'alive').length);
      for (let a = 0; a < 4; a++)
        assert.equal(
          table.liveAt(`a${a}`),
          rows.some((r) => isLive(r.state) && r.address === `a${a}`),
        );
      for (const r of rows) {
        assert.equal(table.stateOf(r.name), r.state);
        assert.equal(table.addressOf(r.name), r.address);
        for (const s of ['alive', 'suspect', 'dead', 'left'] as const) {
          for (let inc = 0; inc <= 5; inc++) {
            const old = r.incarnation > inc || (r.incarnation === inc && (r.state === s || s === 'alive'));
            assert.equal(table.isOldNews(r.name, s, inc), old, `${r.name} ${r.state}@${r.incarnation} vs ${s}@${inc}`);
          }
        }
      }
      assert.equal(table.isOldNews('nobody', 'dead', 0), false);
      // An old alive claim (held at or above its incarnation, at its address) is one apply refuses.
      for (const r of rows) {
        for (let inc = 0; inc <= 5; inc++) {
          for (let a = 0; a < 4; a++) {
            const old = r.incarnation >= inc && r.address === `a${a}`;
            assert.equal(table.isOldAliveClaim(r.name, inc, `a${a}`), old);
            if (old) assert.equal(table.apply({ name: r.name, state: 'alive', incarnation: inc, address: `a${a}` }, now).changed, false);
          }
        }
      }
      assert.equal(table.isOldAliveClaim('nobody', 0, 'a0'), false);
    }),
  );
});

function rank(s: MemberState): number {
  return { alive: 0, suspect: 1, dead: 2, left: 3 }[s];
}
function plain(r: MemberRecord): object {
  return { ...r, tags: { ...r.tags }, wireTags: [...r.wireTags] };
}

test('the digest is the documented sum of line hashes (other versions compare it), through reused ids and big incarnations', () => {
  // docs/PROTOCOL.md: two sums mod 2^32 of fnv1a32(`${name}:${state}:${incarnation}`), seeds FNV and 0x9747b28c.
  const expected = (rows: [string, MemberState, number][]): number => {
    let a = 0;
    let b = 0;
    for (const [name, state, inc] of rows) {
      const line = `${name}:${state}:${inc}`;
      a = (a + fnv1a32(line)) | 0;
      b = (b + fnv1a32(line, 0x9747b28c)) | 0;
    }
    return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff);
  };
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom('a', 'b', 'é', 'node-10'), fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left'), fc.nat({ max: 2 ** 53 - 1 })),
        {
          maxLength: 12,
        },
      ),
      (claims) => {
        const t = new MembershipTable(createInterner());
        for (const [name, state, inc] of claims) {
          t.delete(name);
          t.apply({ name, state: 'alive', incarnation: 0, address: `${name}-addr` }, 0);
          t.apply({ name, state, incarnation: inc }, 1);
        }
        const rows = [...t.values()].map((r): [string, MemberState, number] => [r.name, r.state, r.incarnation]);
        assert.equal(t.digest, expected(rows));
      },
    ),
  );
});

test('down() lists the dead and left rows in table order, and follows every change', () => {
  const t = new MembershipTable(createInterner());
  for (const n of ['a', 'b', 'c', 'd']) t.apply({ name: n, state: 'alive', incarnation: 1, address: `${n}-addr` }, 0);
  assert.deepEqual(t.down(), []);
  t.apply({ name: 'c', state: 'dead', incarnation: 1 }, 5);
  t.apply({ name: 'a', state: 'left', incarnation: 1 }, 6);
  t.apply({ name: 'b', state: 'suspect', incarnation: 1 }, 7);
  assert.deepEqual(
    t.down().map((r) => [r.name, r.state, r.stateChangedAt]),
    [
      ['a', 'left', 6],
      ['c', 'dead', 5],
    ],
  );
  t.apply({ name: 'c', state: 'alive', incarnation: 2, address: 'c-addr' }, 8);
  t.delete('a');
  assert.deepEqual(t.down(), []);
});
