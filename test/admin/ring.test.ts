/** GET /v1/ring and the path form GET /v1/lookup/:key, against a real two-agent loopback cluster. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { HashRing, ShardMap, type RingMember } from '../../src/ring/index.js';
import type { RingSummary } from '../../src/ring/summary.js';
import { testConfig, waitForState } from '../agent/helpers.js';

let a: Agent;
let b: Agent;
let server: AdminServer;
const get = async <T = unknown>(p: string): Promise<{ status: number; body: T }> => {
  const r = await fetch(`http://${server.address}${p}`);
  return { status: r.status, body: (await r.json()) as T };
};

before(async () => {
  a = await createAgent(testConfig('a', { tags: { zone: 'z1' } }));
  b = await createAgent(testConfig('b', { tags: { weight: '2' } }));
  await b.join([a.address]);
  await waitForState(a, 'b', 'alive', 5000);
  server = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => undefined),
  );
});
after(async () => {
  await server.close();
  await Promise.all([a.shutdown(), b.shutdown()]);
});

test('GET /v1/ring: members with points and key-space share, checksums equal to a ring built here', { timeout: 5000 }, async () => {
  const { status, body } = await get<RingSummary>('/v1/ring');
  assert.equal(status, 200);
  const members: RingMember[] = [
    { name: 'a', tags: { zone: 'z1' } },
    { name: 'b', tags: { weight: '2' } },
  ];
  const ring = HashRing.from(members);
  const shards = new ShardMap();
  shards.createShards(members);
  assert.equal(body.checksum, ring.checksum().toString(16).padStart(8, '0'));
  assert.equal(body.vnodes, 256);
  assert.equal(body.pointCount, 256 * 3);
  assert.deepEqual(
    body.members.map((m) => [m.name, m.points, m.zone]),
    [
      ['a', 256, 'z1'],
      ['b', 512, undefined],
    ],
  );
  const total = body.members.reduce((s, m) => s + m.share, 0);
  assert.ok(Math.abs(total - 1) < 1e-5, `shares sum to 1 (${total})`);
  assert.ok(body.members[1]!.share > body.members[0]!.share, 'weight 2 owns more of the key space');
  // The share is that of the placement that decides owners: shards it is the primary of.
  for (const m of body.members) {
    const primaries = shards.allShards().filter((s) => s.owners[0] === m.name).length;
    assert.equal(m.share, Math.round((primaries / 8192) * 1e6) / 1e6, `${m.name}: share from the shard map`);
  }
  assert.ok(body.shardMap);
  assert.equal(body.shardMap.placement, 'rounds');
  assert.equal(body.shardMap.shards, 8192);
  assert.equal(body.shardMap.replicas, 3);
  assert.equal(body.shardMap.checksum, shards.checksum().toString(16).padStart(8, '0'), 'any agent with these members computes this map');
  assert.deepEqual(
    body.members.map((m) => m.shards),
    [8192, 8192],
    'two members, 3 replicas: each holds every shard once',
  );
});

test('GET /v1/lookup/:key?n= answers like the query form; keys with / ? & survive encoding', { timeout: 5000 }, async () => {
  for (const key of ['user:42', 'a/b?c=d&e', 'ünïcode key']) {
    const path = await get<{ key: string; owners: string[] }>(`/v1/lookup/${encodeURIComponent(key)}?n=2`);
    const query = await get<{ key: string; owners: string[] }>(`/v1/lookup?key=${encodeURIComponent(key)}&n=2`);
    assert.equal(path.status, 200);
    assert.deepEqual(path.body, query.body);
    assert.equal(path.body.key, key);
    assert.deepEqual([...path.body.owners].sort(), ['a', 'b']);
  }
  const one = await get<{ owners: string[] }>('/v1/lookup/user:42');
  assert.equal(one.body.owners.length, 1, 'n defaults to 1');
  assert.equal((await get('/v1/lookup/user:42?n=0')).status, 400);
  assert.equal((await get('/v1/lookup/user:42?n=65')).status, 400);
  assert.equal((await get('/v1/lookup/%E0%A4%A')).status, 400, 'bad percent-encoding is a 400, not a 500');
  assert.equal((await get('/v1/lookup/a/b')).status, 404, 'a raw / splits the path: encode it');
  const post = await fetch(`http://${server.address}/v1/ring`, { method: 'POST' });
  assert.equal(post.status, 405);
});

test('without a ring the endpoints say so (404 ERR_NO_RING)', { timeout: 5000 }, async () => {
  const deps = adminDepsFor(a, async () => undefined);
  const bare = await startAdminServer('127.0.0.1:0', { ...deps, lookup: undefined, ring: undefined });
  try {
    for (const p of ['/v1/ring', '/v1/lookup/k', '/v1/lookup?key=k']) {
      const r = await fetch(`http://${bare.address}${p}`);
      assert.equal(r.status, 404, p);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'ERR_NO_RING');
    }
  } finally {
    await bare.close();
  }
});
