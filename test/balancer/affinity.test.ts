/** Key affinity: the ring owner of a key, then its replicas, never a non-owner. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OwnersFn } from '../../src/balancer/index.js';
import { HashRing } from '../../src/ring/index.js';
import { member, setup } from './helpers.js';

// A stand-in ring: key 'kN' is owned by mN, then m(N+1), m(N+2) (mod 5).
const owners: OwnersFn = (key, n) => {
  const i = Number(key.slice(1));
  return Array.from({ length: n }, (_, j) => `m${(i + j) % 5}`);
};

test('a key goes to its owner', () => {
  const { lb } = setup(5, { algorithm: 'affinity' }, { owners });
  for (let i = 0; i < 5; i++) {
    const r = lb.pickOrThrow(`k${i}`);
    assert.equal(r.member.name, `m${i}`);
    r.done({ ok: true });
  }
});

test('owner down: the next replica; an alive replica beats a suspect owner', () => {
  const { lb } = setup(5, { algorithm: 'affinity' }, { owners });
  lb.apply({ type: 'failed', member: member('m1', 'dead'), previous: 'alive' });
  assert.equal(lb.pickOrThrow('k1').member.name, 'm2');
  lb.apply({ type: 'suspect', member: member('m2', 'suspect'), previous: 'alive' });
  assert.equal(lb.pickOrThrow('k1').member.name, 'm3');
  lb.setHealth('m3', false);
  assert.equal(lb.pickOrThrow('k1').member.name, 'm2', 'a suspect owner before nobody');
  lb.apply({ type: 'failed', member: member('m2', 'dead'), previous: 'suspect' });
  const r = lb.pick('k1');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'no-owner');
});

test('replicas config bounds how far down the owners list it goes', () => {
  const { lb } = setup(5, { algorithm: 'affinity', replicas: 1 }, { owners });
  lb.setHealth('m0', false);
  assert.equal(lb.pick('k0').ok, false);
});

test('a keyless pick falls back to p2c', () => {
  const { lb } = setup(5, { algorithm: 'affinity' }, { owners });
  assert.equal(lb.pickOrThrow().ok, true);
});

test('affinity without the owners dependency is a config error', () => {
  assert.throws(() => setup(1, { algorithm: 'affinity' }), { code: 'ERR_CONFIG', message: /owners/ });
});

test('with the real HashRing: a key goes to lookup(key, n)[0], then to the next replica', () => {
  const ring = new HashRing();
  for (let i = 0; i < 5; i++) ring.add({ name: `m${i}` });
  const { lb } = setup(5, { algorithm: 'affinity' }, { owners: (k, n) => ring.lookup(k, n) });
  for (let i = 0; i < 1000; i++) {
    const key = `user:${i}`;
    const r = lb.pickOrThrow(key);
    assert.equal(r.member.name, ring.lookup(key, 3)[0]);
    r.done({ ok: true });
  }
  lb.apply({ type: 'failed', member: member('m0', 'dead'), previous: 'suspect' });
  for (let i = 0; i < 1000; i++) {
    const key = `user:${i}`;
    const [first, second] = ring.lookup(key, 3);
    assert.equal(lb.pickOrThrow(key).member.name, first === 'm0' ? second : first);
  }
});
