/**
 * The key-management service on a small in-process network (no sockets, short real timers):
 * who may ask, who may answer, how many datagrams an operation costs, and which operations are
 * refused before they can split the cluster. Real agents over UDP are in keys.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyService, type KeyServiceDeps } from '../../src/agent/key-service.js';
import { encodeKeyMessage, type KeyMessage } from '../../src/agent/keys-protocol.js';
import type { Address } from '../../src/core/types.js';
import { ClusterError } from '../../src/errors.js';
import { SealKind } from '../../src/wire/crypto.js';
import { createEnvelope, type Envelope } from '../../src/wire/envelope.js';
import { generateKey, Keyring } from '../../src/wire/keyring.js';

interface Node {
  readonly name: string;
  readonly address: Address;
  readonly keyring: Keyring;
  readonly envelope: Envelope;
  readonly service: KeyService;
  readonly drops: string[];
  /** Datagrams this node sent. */
  sent: number;
  /** Stops receiving (and so answering) when true. */
  down: boolean;
  /** Replaces the service's handling of incoming datagrams when set. */
  hostile?: (from: Address, bytes: Uint8Array) => void;
}

/** n members that all hold each other live, sharing `key`, over a network that delivers on the next turn. */
function network(
  n: number,
  key = generateKey(),
  opts = { timeoutMs: 400, retryMs: 25 },
): { nodes: Node[]; key: string; wire: Uint8Array[]; deliver(from: Address, to: Address, bytes: Uint8Array): void } {
  const nodes: Node[] = [];
  const byAddress = new Map<Address, Node>();
  /** Every datagram sent, as an eavesdropper sees it. */
  const wire: Uint8Array[] = [];
  const deliver = (from: Address, to: Address, bytes: Uint8Array): void => {
    wire.push(bytes);
    const dst = byAddress.get(to);
    if (!dst) return;
    setImmediate(() => {
      if (dst.down) return;
      if (dst.hostile) dst.hostile(from, bytes);
      else dst.service.receive(from, bytes);
    });
  };
  for (let i = 0; i < n; i++) {
    const name = `m${i}`;
    const address = `10.0.0.${i + 1}:7946`;
    const keyring = new Keyring([key]);
    const envelope = createEnvelope({ keyring, label: 'prod' });
    const drops: string[] = [];
    const node = { name, address, keyring, envelope, drops, sent: 0, down: false } as Omit<Node, 'service'> as Node;
    const deps: KeyServiceDeps = {
      name,
      keyring,
      envelope,
      send: (to, bytes) => {
        node.sent++;
        deliver(address, to, bytes);
      },
      peers: () => nodes.filter((o) => o !== node).map((o) => ({ name: o.name, address: o.address })),
      peerAddress: (who) => nodes.find((o) => o.name === who && o !== node)?.address,
      wallNow: () => Date.now(),
      onDrop: (reason) => drops.push(reason),
    };
    (node as { service: KeyService }).service = new KeyService(deps, opts);
    nodes.push(node);
    byAddress.set(address, node);
  }
  return { nodes, key, wire, deliver };
}

/** A sealed key datagram as `env` would send it. */
const sealed = (env: Envelope, m: KeyMessage): Uint8Array => env.wrap(SealKind.keys, encodeKeyMessage(m));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a key request sealed with the cluster key but not from a live member at its address is refused and counted', async () => {
  const { nodes, key, deliver } = network(3);
  const [a, b] = nodes as [Node, Node];
  // An outsider who holds the key: its own address, or a member's name from another address.
  const outsider = createEnvelope({ keyring: new Keyring([key]), label: 'prod' });
  const evil = generateKey();
  deliver('10.9.9.9:7946', a.address, sealed(outsider, { t: 'req', id: '00000000000000a1', op: 'install', key: evil, from: 'intruder', at: Date.now() }));
  deliver('10.9.9.9:7946', a.address, sealed(outsider, { t: 'req', id: '00000000000000a2', op: 'install', key: evil, from: b.name, at: Date.now() }));
  deliver(nodes[2]!.address, a.address, sealed(outsider, { t: 'req', id: '00000000000000a3', op: 'install', key: evil, from: b.name, at: Date.now() }));
  await tick();
  await tick();
  assert.equal(a.keyring.has(evil), false, 'nothing installed');
  assert.equal(a.sent, 0, 'nothing answered');
  assert.deepEqual(a.drops, ['keys-sender', 'keys-sender', 'keys-sender']);
  // The same request from the member itself is applied.
  deliver(b.address, a.address, sealed(outsider, { t: 'req', id: '00000000000000a4', op: 'install', key: evil, from: b.name, at: Date.now() }));
  await tick();
  assert.equal(a.keyring.has(evil), true);
});

test("answers count once per member, only from that member's address: one member cannot answer for another", async () => {
  const { nodes, deliver } = network(4);
  const [a, , c, d] = nodes as [Node, Node, Node, Node];
  d.down = true;
  // c answers for itself, and forges answers for d (and for a, the asker) from its own address.
  c.hostile = (from, bytes) => {
    c.service.receive(from, bytes);
    const r = c.envelope.unwrap(bytes);
    if (!r.ok) return;
    const req = JSON.parse(Buffer.from(r.value.body).toString('utf8')) as { id: string };
    for (const who of [d.name, a.name, c.name]) deliver(c.address, from, sealed(c.envelope, { t: 'res', id: req.id, from: who, ok: true, keys: [] }));
  };
  const r = await a.service.run('list');
  assert.equal(r.members, 4);
  assert.equal(r.answered, 3, JSON.stringify(r));
  assert.deepEqual(r.missing, [d.name]);
  assert.deepEqual(a.drops, ['keys-sender'], "the answer for d from c's address; the ones for a and c were not awaited");
});

test('ERR_KEYS_BUSY: one key operation at a time per agent', async () => {
  const { nodes } = network(3);
  const a = nodes[0]!;
  const first = a.service.run('list');
  await assert.rejects(
    a.service.run('list'),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEYS_BUSY' && /another key operation/.test(e.message),
  );
  await assert.rejects(a.service.run('install', generateKey()), (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEYS_BUSY');
  assert.equal((await first).answered, 3);
  assert.equal((await a.service.run('list')).answered, 3, 'free again once done');
});

test('members that do not answer cost a few datagrams each, not one per retry interval', async () => {
  // Scaled down from the defaults (retry 500 ms, timeout 5 s): sends at 0, 1, 3 and 7 retry
  // intervals, then the timeout at 10.
  const { nodes } = network(10, generateKey(), { timeoutMs: 200, retryMs: 20 });
  const a = nodes[0]!;
  for (const o of nodes.slice(1)) o.down = true;
  const r = await a.service.run('list');
  assert.equal(r.missing.length, 9);
  assert.equal(a.sent, 4 * 9, `${a.sent} datagrams for 9 silent members`);
});

const code = (c: string) => (e: unknown) => e instanceof ClusterError && e.code === c;

test('use is refused until every live member holds the key (silent or without it, named); nothing changes', async () => {
  const { nodes, key: k1 } = network(4);
  const [a, , , d] = nodes as [Node, Node, Node, Node];
  const k2 = generateKey();
  d.down = true;
  const inst = await a.service.run('install', k2);
  assert.deepEqual(inst.missing, [d.name]);
  await assert.rejects(
    a.service.run('use', k2),
    (e: unknown) => code('ERR_KEY_NOT_EVERYWHERE')(e) && /3 of 4 members hold it; 1 \(m3\) did not answer/.test((e as Error).message),
  );
  d.down = false;
  await assert.rejects(a.service.run('use', k2), (e: unknown) => code('ERR_KEY_NOT_EVERYWHERE')(e) && /1 \(m3\) does not hold it/.test((e as Error).message));
  for (const n of nodes) assert.equal(n.keyring.view().primary, k1, `${n.name} still seals with the old key`);
  await assert.rejects(a.service.run('use', generateKey()), code('ERR_KEY_NOT_INSTALLED'));
  assert.equal((await a.service.run('install', k2)).answered, 4);
  const use = await a.service.run('use', k2);
  assert.deepEqual({ answered: use.answered, failed: use.failed }, { answered: 4, failed: {} });
  for (const n of nodes) assert.equal(n.keyring.view().primary, k2);
});

test('remove is refused while a member still seals with the key, and for our own primary', async () => {
  const { nodes, key: k1 } = network(3);
  const [a, , c] = nodes as [Node, Node, Node];
  const k2 = generateKey();
  assert.equal((await a.service.run('install', k2)).answered, 3);
  await c.service.run('use', k2, { local: true });
  await assert.rejects(a.service.run('remove', k2), (e: unknown) => code('ERR_KEY_IN_USE')(e) && /1 \(m2\) still seals with it/.test((e as Error).message));
  await assert.rejects(a.service.run('remove', k1), code('ERR_KEY_PRIMARY'));
  for (const n of nodes) assert.equal(n.keyring.size, 2, 'nothing removed');
});

test('a key installed out of band (--local) never crosses the wire: list, use and remove name it by fingerprint', async () => {
  const { nodes, key: k1, wire } = network(3);
  const k2 = generateKey();
  for (const n of nodes) {
    const r = await n.service.run('install', k2, { local: true });
    assert.equal(r.local, true);
  }
  assert.equal(wire.length, 0, '--local sends nothing');
  const list = await nodes[1]!.service.run('list');
  assert.deepEqual(list.keys, { [k1]: 3, [k2]: 3 }, 'shown as keys where this agent holds them');
  assert.equal((await nodes[0]!.service.run('use', k2)).answered, 3);
  assert.equal((await nodes[2]!.service.run('remove', k1)).answered, 3);
  assert.ok(wire.length >= 12);
  // An eavesdropper holding the old, leaked key: what it can open says nothing of the new one.
  const leaked = createEnvelope({ keyring: new Keyring([k1]), label: 'prod' });
  let opened = 0;
  for (const bytes of wire) {
    const r = leaked.unwrap(bytes);
    if (!r.ok) continue;
    opened++;
    assert.ok(!Buffer.from(r.value.body).toString('utf8').includes(k2), 'the new key in clear to the old key');
  }
  assert.ok(opened > 0, 'the list and use went out under the old key');
  // Keys another agent does not hold show as fingerprints.
  nodes[2]!.keyring.install(k1);
  const partial = await nodes[0]!.service.run('list');
  assert.deepEqual(Object.values(partial.keys!).sort(), [1, 3]);
  assert.ok(
    Object.keys(partial.keys!).some((k) => /^[0-9a-f]{16}$/.test(k)),
    JSON.stringify(partial.keys),
  );
});
