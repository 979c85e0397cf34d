import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashRing, type RingMember } from '../../src/ring/hash-ring.js';
import { hashKey, vnodeId, vnodePoint } from '../../src/ring/hash.js';
import { ClusterError } from '../../src/errors.js';

const names = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 20 });
const keys = fc.array(fc.string(), { minLength: 1, maxLength: 50 });
const members = (ns: readonly string[]): RingMember[] => ns.map((name) => ({ name }));

test('vnode ids of different members never collide (ringpop #241)', () => {
  // ringpop hashed name + i: "1.2.3.4:55" + "5" === "1.2.3.4:555" + "" style collisions.
  assert.notEqual(vnodeId('1.2.3.4:55', 55), vnodeId('1.2.3.4:555', 5));
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.nat(1000), fc.nat(1000), (a, b, i, j) => {
      fc.pre(a !== b);
      assert.notEqual(vnodeId(a, i), vnodeId(b, j));
    }),
  );
});

test('empty ring: lookup gives undefined and []', () => {
  const ring = new HashRing({ vnodes: 8 });
  assert.equal(ring.lookup('k'), undefined);
  assert.deepEqual(ring.lookup('k', 3), []);
  assert.equal(ring.size, 0);
});

test('bad vnodes is misuse', () => {
  assert.throws(() => new HashRing({ vnodes: 0 }), ClusterError);
});

test('bytes and string keys with the same bytes land on the same member', () => {
  const ring = HashRing.from(members(['a', 'b', 'c']), { vnodes: 16 });
  for (const k of ['x', 'hello', 'κλειδί']) {
    assert.equal(ring.lookup(Buffer.from(k)), ring.lookup(k));
    assert.equal(ring.lookup(new Uint8Array(Buffer.from(k))), ring.lookup(k));
  }
  assert.equal(hashKey(new Uint8Array([1, 2, 3]).subarray(1)), hashKey(Buffer.from([2, 3])));
});

test('weight tag scales points; bad weights count as 1', () => {
  const ring = new HashRing({ vnodes: 10 });
  ring.add({ name: 'big', tags: { weight: '2.5' } });
  ring.add({ name: 'bad', tags: { weight: 'lots' } });
  ring.add({ name: 'neg', tags: { weight: '-3' } });
  assert.equal(ring.pointsOf('big'), 25);
  assert.equal(ring.pointsOf('bad'), 10);
  assert.equal(ring.pointsOf('neg'), 10);
  assert.equal(ring.pointCount, 45);
  assert.equal(ring.add({ name: 'big', tags: { weight: '2.5' } }), false, 'same tags: no change');
  assert.equal(ring.add({ name: 'big', tags: { weight: '1' } }), true);
  assert.equal(ring.pointCount, 30);
});

test('property: lookup(key, n) gives min(n, size) distinct members, primary first', () => {
  fc.assert(
    fc.property(names, keys, fc.integer({ min: 0, max: 25 }), (ns, ks, n) => {
      const ring = HashRing.from(members(ns), { vnodes: 8 });
      for (const k of ks) {
        const got = ring.lookup(k, n);
        assert.equal(got.length, Math.min(n, ns.length));
        assert.equal(new Set(got).size, got.length);
        if (n > 0) assert.equal(got[0], ring.lookup(k));
      }
    }),
  );
});

test('property: zone-distinct members come first', () => {
  fc.assert(
    fc.property(names, fc.integer({ min: 1, max: 4 }), keys, (ns, zones, ks) => {
      const ring = HashRing.from(
        ns.map((name, i) => ({ name, tags: { zone: `z${i % zones}` } })),
        { vnodes: 8 },
      );
      const zoneCount = Math.min(zones, ns.length);
      for (const k of ks) {
        const got = ring.lookup(k, ns.length);
        const firstZones = got.slice(0, zoneCount).map((m) => ring.zoneOfMember(m));
        assert.equal(new Set(firstZones).size, zoneCount, `first ${zoneCount} picks span all zones`);
      }
    }),
  );
});

test('property: same members in any insertion order give the same checksum and owners', () => {
  fc.assert(
    fc.property(
      names.chain((ns) => fc.tuple(fc.constant(ns), fc.shuffledSubarray(ns, { minLength: ns.length }))),
      keys,
      ([ns, shuffled], ks) => {
        const a = new HashRing({ vnodes: 8 });
        for (const m of members(ns)) a.add(m);
        const b = new HashRing({ vnodes: 8 });
        for (const m of members(shuffled)) b.add(m);
        const c = HashRing.from(members(shuffled), { vnodes: 8 });
        assert.equal(a.checksum(), b.checksum());
        assert.equal(a.checksum(), c.checksum());
        assert.deepEqual(a.snapshot().points, c.snapshot().points);
        for (const k of ks) {
          assert.equal(a.lookup(k), b.lookup(k));
          assert.deepEqual(a.lookup(k, 3), c.lookup(k, 3));
        }
      },
    ),
  );
});

test('equal points of two members are ordered by name, whatever the insertion order', () => {
  // Birthday search for two names whose vnode 0 lands on the same point (~2^16 tries).
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; pair === undefined && i < 1_000_000; i++) {
    const name = `n${i}`;
    const p = vnodePoint(name, 0);
    const other = seen.get(p);
    if (other !== undefined) pair = [other, name];
    else seen.set(p, name);
  }
  assert.ok(pair, 'found a colliding pair');
  const [x, y] = pair;
  const hash = vnodePoint(x, 0);
  const a = new HashRing({ vnodes: 1 });
  a.add({ name: x });
  a.add({ name: y });
  const b = new HashRing({ vnodes: 1 });
  b.add({ name: y });
  b.add({ name: x });
  const c = HashRing.from(members([y, x]), { vnodes: 1 });
  const winner = x < y ? x : y;
  for (const r of [a, b, c]) assert.equal(r.ownerOfHash(hash), winner);
  assert.equal(a.checksum(), b.checksum());
});

test('property: adding one member moves keys only to it; removing one moves only its keys', () => {
  fc.assert(
    fc.property(names, fc.string({ minLength: 1 }), keys, (ns, extra, ks) => {
      fc.pre(!ns.includes(extra));
      const ring = HashRing.from(members(ns), { vnodes: 8 });
      const before = ks.map((k) => ring.lookup(k));
      ring.add({ name: extra });
      const after = ks.map((k) => ring.lookup(k));
      after.forEach((o, i) => {
        if (o !== before[i]) assert.equal(o, extra);
      });
      ring.remove(extra);
      assert.deepEqual(
        ks.map((k) => ring.lookup(k)),
        before,
        'remove undoes add',
      );
      const victim = ns[0]!;
      ring.remove(victim);
      ks.forEach((k, i) => {
        if (before[i] !== victim) assert.equal(ring.lookup(k), before[i]);
        else assert.notEqual(ring.lookup(k), victim);
      });
    }),
  );
});

test('members() is sorted and has() follows add/remove', () => {
  const ring = new HashRing({ vnodes: 4 });
  ring.add({ name: 'b' });
  ring.add({ name: 'a' });
  assert.deepEqual(ring.members(), ['a', 'b']);
  assert.ok(ring.has('a'));
  assert.equal(ring.remove('a'), true);
  assert.equal(ring.remove('a'), false);
  assert.ok(!ring.has('a'));
  assert.equal(ring.pointCount, 4);
});

test('property: the radix-indexed search equals a plain scan, through adds and removes, at every ring size', () => {
  // The owner of a hash is the first point >= it, wrapping: computed here from the snapshot by a
  // linear scan, and compared with lookup, ownerOfHash and lookupInto's primary.
  const ownerByScan = (ring: HashRing, h: number): string | undefined => {
    const { points, owners, names: slotNames } = ring.snapshot();
    if (points.length === 0) return undefined;
    let i = points.findIndex((p) => p >= h);
    if (i < 0) i = 0;
    return slotNames[owners[i]!];
  };
  const out: string[] = [];
  fc.assert(
    fc.property(names, fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(0xffffffff), { minLength: 1, maxLength: 30 }), keys, (ns, vnodes, hashes, ks) => {
      const ring = new HashRing({ vnodes });
      for (const [i, n] of ns.entries()) {
        ring.add({ name: n, tags: { zone: `z${i % 3}` } });
        for (const h of [...hashes, 0, 0xffffffff]) assert.equal(ring.ownerOfHash(h), ownerByScan(ring, h));
      }
      ring.remove(ns[0]!);
      for (const h of hashes) assert.equal(ring.ownerOfHash(h), ownerByScan(ring, h));
      for (const k of ks) {
        assert.equal(ring.lookup(k), ownerByScan(ring, hashKey(k)));
        const count = ring.lookupInto(k, 3, out);
        assert.equal(count, out.length);
        assert.deepEqual(out, ring.lookup(k, 3), 'lookupInto fills the array lookup(k, n) returns');
      }
    }),
    { numRuns: 60 },
  );
});

test("lookupInto reuses the caller's array and truncates it", () => {
  const ring = HashRing.from(members(['a', 'b', 'c', 'd']), { vnodes: 16 });
  const out = ['x', 'y', 'z', 'w', 'v'];
  assert.equal(ring.lookupInto('k', 2, out), 2);
  assert.equal(out.length, 2);
  assert.equal(new HashRing().lookupInto('k', 3, out), 0);
  assert.deepEqual(out, []);
});
