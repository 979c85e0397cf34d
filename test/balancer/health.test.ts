/** Membership states and hand-set health decide who may be picked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALGORITHMS } from '../../src/balancer/index.js';
import { countPicks, member, setup } from './helpers.js';

for (const algorithm of ALGORITHMS.filter((a) => a !== 'affinity')) {
  test(`${algorithm}: suspect and failed members are not picked while alive ones exist`, () => {
    const { lb } = setup(5, { algorithm });
    lb.apply({ type: 'suspect', member: member('m1', 'suspect'), previous: 'alive' });
    lb.apply({ type: 'failed', member: member('m2', 'dead'), previous: 'suspect' });
    lb.apply({ type: 'left', member: member('m3', 'left'), previous: 'alive' });
    const counts = countPicks(lb, 1000);
    assert.deepEqual([...counts.keys()].sort(), ['m0', 'm4']);
    assert.equal(lb.size, 3);
    assert.equal(lb.stats('m2'), undefined);
  });
}

test('suspect members are picked only when no alive one is left', () => {
  const { lb } = setup(3, { algorithm: 'round-robin' });
  lb.apply({ type: 'suspect', member: member('m0', 'suspect'), previous: 'alive' });
  lb.apply({ type: 'suspect', member: member('m1', 'suspect'), previous: 'alive' });
  assert.equal(lb.tier(), 'alive');
  lb.apply({ type: 'failed', member: member('m2', 'dead'), previous: 'alive' });
  assert.equal(lb.tier(), 'suspect');
  assert.deepEqual([...countPicks(lb, 10).keys()].sort(), ['m0', 'm1']);
  lb.apply({ type: 'alive', member: member('m1', 'alive'), previous: 'suspect' });
  assert.deepEqual([...countPicks(lb, 10).keys()], ['m1']);
});

test('setHealth(false) overrides membership and survives leave and rejoin', () => {
  const { lb } = setup(3, { algorithm: 'round-robin' });
  lb.setHealth('m0', false);
  assert.deepEqual([...countPicks(lb, 10).keys()].sort(), ['m1', 'm2']);
  assert.equal(lb.stats('m0')?.healthy, false);
  lb.apply({ type: 'left', member: member('m0', 'left'), previous: 'alive' });
  lb.apply({ type: 'join', member: member('m0'), previous: undefined });
  assert.equal(lb.stats('m0')?.healthy, false);
  lb.setHealth('m0', true);
  assert.deepEqual([...countPicks(lb, 30).keys()].sort(), ['m0', 'm1', 'm2']);
});

test('no member available is a value with a reason; pickOrThrow throws ERR_NO_MEMBER', () => {
  const { lb } = setup(0);
  const r = lb.pick();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'no-members');
  assert.throws(() => lb.pickOrThrow(), { name: 'ClusterError', code: 'ERR_NO_MEMBER' });
  lb.apply({ type: 'join', member: member('a'), previous: undefined });
  lb.setHealth('a', false);
  const r2 = lb.pick();
  assert.equal(!r2.ok && r2.reason, 'none-available');
});

test('sync replaces the view with a snapshot', () => {
  const { lb } = setup(3, { algorithm: 'round-robin' });
  lb.sync([member('m1'), member('x'), member('m2', 'dead')]);
  assert.deepEqual(
    lb
      .allStats()
      .map((s) => s.name)
      .sort(),
    ['m1', 'x'],
  );
});

test('an update keeps statistics and takes the new weight tag', () => {
  const { lb } = setup(2, { algorithm: 'round-robin' });
  countPicks(lb, 4);
  lb.apply({ type: 'update', member: member('m0', 'alive', { weight: '4' }), previous: 'alive' });
  const s = lb.stats('m0');
  assert.equal(s?.requests, 2);
  assert.equal(s?.weight, 4);
});

for (const algorithm of ALGORITHMS) {
  test(`${algorithm}: a member whose health tag is not ok gets no picks until it is ok again`, () => {
    const ring = ['m0', 'm1', 'm2'];
    const { lb } = setup(3, { algorithm }, { owners: () => ring });
    lb.apply({ type: 'update', member: member('m0', 'alive', { health: 'busy' }), previous: 'alive' });
    lb.apply({ type: 'update', member: member('m2', 'alive', { health: 'garbage\u0000' }), previous: 'alive' });
    assert.deepEqual([...countPicks(lb, 200, 1, () => 'k').keys()], ['m1']);
    assert.equal(lb.stats('m0')?.healthy, false);
    lb.apply({ type: 'update', member: member('m1', 'suspect', { health: 'draining' }), previous: 'alive' });
    assert.equal(lb.available(), 0, 'not even as a last resort');
    lb.apply({ type: 'update', member: member('m0', 'alive', { health: 'ok' }), previous: 'alive' });
    assert.deepEqual([...countPicks(lb, 200, 1, () => 'k').keys()], ['m0']);
  });
}

test('a hand-set unhealthy member stays out when its health tag says ok', () => {
  const { lb } = setup(2, { algorithm: 'round-robin' });
  lb.setHealth('m0', false);
  lb.apply({ type: 'update', member: member('m0', 'alive', { health: 'ok' }), previous: 'alive' });
  assert.deepEqual([...countPicks(lb, 10).keys()], ['m1']);
  lb.setHealth('m0', true);
  lb.apply({ type: 'update', member: member('m1', 'alive', { health: 'busy' }), previous: 'alive' });
  assert.deepEqual([...countPicks(lb, 10).keys()], ['m0']);
});

test('healthTag is validated and can be renamed', () => {
  assert.throws(() => setup(1, { healthTag: '' }), { code: 'ERR_CONFIG', message: /healthTag/ });
  const { lb } = setup(2, { algorithm: 'round-robin', healthTag: 'state' });
  lb.apply({ type: 'update', member: member('m0', 'alive', { state: 'busy', health: 'busy' }), previous: 'alive' });
  lb.apply({ type: 'update', member: member('m1', 'alive', { health: 'busy' }), previous: 'alive' });
  assert.deepEqual([...countPicks(lb, 10).keys()], ['m1']);
});
