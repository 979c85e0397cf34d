/**
 * Encryption on real agents over loopback UDP: cluster-wide key rotation through the admin
 * path (`phantom keys`), the keyring file, joins to the wrong cluster, plaintext refused,
 * and the admin bearer token. Bounded by event waits with timeouts, never by sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { startAdminServer } from '../../src/admin/server.js';
import { adminRequest } from '../../src/admin/client.js';
import { createSocket } from 'node:dgram';
import { generateKey, Keyring } from '../../src/wire/keyring.js';
import { createEnvelope } from '../../src/wire/envelope.js';
import { SealKind } from '../../src/wire/crypto.js';
import { encodeKeyMessage } from '../../src/agent/keys-protocol.js';
import { testConfig, waitForState } from './helpers.js';

const agents: Agent[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  await Promise.all(agents.map((a) => a.shutdown()));
});

async function start(name: string, extra: Parameters<typeof testConfig>[1] = {}, opts: Parameters<typeof createAgent>[1] = {}): Promise<Agent> {
  const a = await createAgent(testConfig(name, extra), opts);
  agents.push(a);
  return a;
}

async function allAlive(group: readonly Agent[]): Promise<void> {
  for (const o of group) for (const s of group) await waitForState(o, s.name, 'alive', 8000);
}

test('keys install/use/remove spread to every member; nobody fails; the keyring file follows at mode 0600', { timeout: 40_000 }, async () => {
  const k1 = generateKey();
  const k2 = generateKey();
  const dir = mkdtempSync(join(tmpdir(), 'phantom-keys-'));
  const file = join(dir, 'keyring.json');
  const group = [
    await start('k0', { encrypt: k1, keyringFile: file, clusterLabel: 'prod' }),
    await start('k1', { encrypt: k1, clusterLabel: 'prod' }),
    await start('k2', { encrypt: k1, clusterLabel: 'prod' }),
    await start('k3', { encrypt: k1, clusterLabel: 'prod' }),
  ];
  const [a] = group as [Agent];
  for (const g of group.slice(1)) await g.join([a.address]);
  await allAlive(group);
  const failures: string[] = [];
  for (const g of group) g.on('failed', (e) => failures.push(`${g.name} saw ${e.member.name} failed`));
  assert.equal((statSync(file).mode & 0o777).toString(8), '600');

  const inst = await a.keys('install', k2);
  assert.deepEqual(
    { members: inst.members, answered: inst.answered, failed: inst.failed, missing: inst.missing },
    { members: 4, answered: 4, failed: {}, missing: [] },
  );
  const list = await group[2]!.keys('list');
  assert.deepEqual(list.keys, { [k1]: 4, [k2]: 4 });
  assert.deepEqual(list.primaries, { [k1]: 4 });
  assert.equal((await a.keys('use', k2)).answered, 4);
  assert.equal((await a.keys('remove', k1)).answered, 4);
  const after_ = await a.keys('list');
  assert.deepEqual(after_.keys, { [k2]: 4 });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [k2]);
  assert.equal((statSync(file).mode & 0o777).toString(8), '600');

  await assert.rejects(a.keys('remove', k2), (e: Error & { code?: string }) => e.code === 'ERR_KEY_PRIMARY' && /primary/.test(e.message));
  // Still one cluster, talking under the new key.
  await allAlive(group);
  assert.deepEqual(failures, []);
  for (const g of group) assert.equal(g.stats().counters.drops['unknown-key'] ?? 0, 0, `${g.name} refused packets`);

  // A member that stopped answering is listed as missing (it is still alive in the tables).
  const silent = group[3]!;
  await silent.shutdown();
  const partial = await a.keys('list');
  assert.ok(partial.missing.includes('k3') || partial.members === 3, JSON.stringify(partial));
});

test('a join to a cluster with another label or key fails with an error that says so', { timeout: 40_000 }, async () => {
  const key = generateKey();
  const seed = await start('blue-seed', { encrypt: key, clusterLabel: 'blue' });
  const wrongLabel = await start('green', { encrypt: key, clusterLabel: 'green' });
  await assert.rejects(wrongLabel.join([seed.address]), (e: Error & { code?: string }) => e.code === 'ERR_JOIN_FAILED' && /cluster label/.test(e.message));
  const wrongKey = await start('other-key', { encrypt: generateKey(), clusterLabel: 'blue' });
  await assert.rejects(wrongKey.join([seed.address]), (e: Error & { code?: string }) => e.code === 'ERR_JOIN_FAILED' && /encryption key/.test(e.message));
  const plain = await start('plain', { clusterLabel: 'blue' });
  await assert.rejects(plain.join([seed.address]), (e: Error & { code?: string }) => e.code === 'ERR_JOIN_FAILED' && /requires encrypted/.test(e.message));
  // Right key and label, but a clock 20 minutes ahead: outside the 10-minute replay window.
  const skewed = await start('skewed', { encrypt: key, clusterLabel: 'blue' }, { wallClock: () => Date.now() + 20 * 60_000 });
  await assert.rejects(skewed.join([seed.address]), (e: Error & { code?: string }) => e.code === 'ERR_JOIN_FAILED' && /clock/.test(e.message));
  const d = seed.stats().counters.drops;
  assert.ok((d.label ?? 0) > 0 && (d['unknown-key'] ?? 0) > 0 && (d.plaintext ?? 0) > 0 && (d.stale ?? 0) > 0, JSON.stringify(d));
  assert.equal(seed.members().length, 1, 'nobody got in');
});

test('holding the key is not enough: a key request from a socket that is not a member is dropped, on a real agent', { timeout: 20_000 }, async () => {
  const key = generateKey();
  const a = await start('ka', { encrypt: key });
  const b = await start('kb', { encrypt: key });
  await b.join([a.address]);
  await allAlive([a, b]);
  const outsider = createSocket('udp4');
  closers.push(() => new Promise((r) => outsider.close(() => r())));
  await new Promise<void>((r) => outsider.bind(0, '127.0.0.1', () => r()));
  const env = createEnvelope({ keyring: new Keyring([key]) });
  const evil = generateKey();
  const [host, port] = [a.address.slice(0, a.address.lastIndexOf(':')), Number(a.address.slice(a.address.lastIndexOf(':') + 1))];
  for (const from of ['intruder', 'kb']) {
    const bytes = env.wrap(
      SealKind.keys,
      encodeKeyMessage({ t: 'req', id: `feed${from === 'kb' ? 'b' : 'a'}00000000000`, op: 'install', key: evil, from, at: Date.now() }),
    );
    outsider.send(bytes, port, host);
  }
  const deadline = Date.now() + 5000;
  while ((a.stats().counters.drops['keys-sender'] ?? 0) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(a.stats().counters.drops['keys-sender'], 2);
  assert.deepEqual((await a.keys('list')).keys, { [key]: 2 }, 'the intruder key is nowhere');
});

test('keys on an agent without encryption: a clear error', async () => {
  const a = await start('nokeys');
  await assert.rejects(a.keys('list'), (e: Error & { code?: string }) => e.code === 'ERR_NO_KEYRING');
});

test('admin API with a bearer token: 401 without it, 200 with it; keys over HTTP', { timeout: 20_000 }, async () => {
  const a = await start('tok', { encrypt: generateKey() });
  const token = 'a-long-enough-admin-token';
  const admin = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => {}),
    { token },
  );
  closers.push(() => admin.close());
  await assert.rejects(adminRequest(admin.address, 'GET', '/v1/self', undefined, 5000, ''), (e: Error & { code?: string }) => e.code === 'ERR_UNAUTHORIZED');
  await assert.rejects(
    adminRequest(admin.address, 'GET', '/v1/self', undefined, 5000, 'wrong-token-of-some-length'),
    (e: Error & { code?: string }) => e.code === 'ERR_UNAUTHORIZED',
  );
  const r = await adminRequest<{ name: string }>(admin.address, 'GET', '/v1/self', undefined, 5000, token);
  assert.equal(r.body.name, 'tok');
  const list = await adminRequest<{ answered: number }>(admin.address, 'GET', '/v1/keys', undefined, 10_000, token);
  assert.equal(list.body.answered, 1);
  await assert.rejects(
    adminRequest(admin.address, 'POST', '/v1/keys', { op: 'remove', key: a.config.encrypt }, 10_000, token),
    (e: Error & { code?: string }) => e.code === 'ERR_KEY_PRIMARY',
  );
  const k2 = generateKey();
  const local = await adminRequest<{ local?: boolean; members: number }>(
    admin.address,
    'POST',
    '/v1/keys',
    { op: 'install', key: k2, local: true },
    10_000,
    token,
  );
  assert.deepEqual(local.body.local, true);
  const mine = await adminRequest<{ local?: boolean; keys: Record<string, number> }>(admin.address, 'GET', '/v1/keys?local=true', undefined, 10_000, token);
  assert.deepEqual(mine.body.keys, { [a.config.encrypt!]: 1, [k2]: 1 });
  await assert.rejects(
    adminRequest(admin.address, 'POST', '/v1/keys', { op: 'install', key: k2, local: 'yes' }, 10_000, token),
    (e: Error & { code?: string }) => e.code === 'ERR_ARGUMENT',
  );
});
