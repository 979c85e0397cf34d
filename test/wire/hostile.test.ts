/**
 * Hostile input against the whole receive path: wire router -> envelope (label + seal) -> codec
 * -> member guard -> Driver -> core, on the simulator, whose agents are built by the production
 * composition root (agent/node.ts). Nothing throws, a refused packet changes nothing, and the
 * bounds (member cap, name and tag caps) hold under floods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation, simulatedAddress } from '../../src/sim/index.js';
import { createCodec } from '../../src/wire/codec.js';
import { createSecureCodec } from '../../src/wire/secure.js';
import { createEnvelope } from '../../src/wire/envelope.js';
import { SealKind } from '../../src/wire/crypto.js';
import { generateKey, Keyring } from '../../src/wire/keyring.js';
import { decodeKeyMessage } from '../../src/agent/keys-protocol.js';
import { membershipChecksum } from '../../src/runtime/checksum.js';
import * as M from '../../src/core/messages.js';

const SEED = Number(process.env.SIM_SEED ?? 5);
const plain = createCodec();
const KEY = generateKey();

/** Every agent sealed with KEY under the label 'prod', its table capped at `maxMembers`. */
function cluster(n: number, maxMembers = 64): { sim: Simulation } {
  const sim = new Simulation({ nodes: n, seed: SEED, security: () => ({ keyring: new Keyring([KEY]), label: 'prod' }), maxMembers });
  sim.joinAll();
  assert.ok(
    sim.runUntil(() => sim.checkConverged(), 30_000),
    `seed ${SEED}`,
  );
  return { sim };
}

/** Drops counted by agent i's observer, by reason. */
const drops = (sim: Simulation, i: number): Record<string, number> => sim.node(i).observer.counters.drops;

const sum = (sim: Simulation, i: number): number => membershipChecksum(sim.agent(i).members());

test('random bytes, label frames and seal headers into a live agent: nothing throws, nothing changes', () => {
  const { sim } = cluster(5);
  const before = sum(sim, 0);
  const env = createEnvelope({ keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1600 }), fc.constantFrom('raw', 'label', 'seal', 'sealed-junk'), (bytes, shape) => {
      let b: Uint8Array = bytes;
      if (shape === 'label') b = Uint8Array.from([0xf4, 4, ...Buffer.from('prod'), ...bytes]);
      if (shape === 'seal') b = Uint8Array.from([0xf4, 4, ...Buffer.from('prod'), 0xe5, 0, ...bytes]);
      // Junk sealed with the right key: authentic, but not a packet.
      if (shape === 'sealed-junk') b = env.wrap(SealKind.gossip, bytes);
      sim.deliver(0, sim.address(1), b);
    }),
    { numRuns: 3000 },
  );
  assert.equal(sum(sim, 0), before, 'no refused packet changed the table');
  sim.run(5000);
  assert.ok(sim.checkConverged());
});

test('bit-flipped and truncated sealed packets are refused as auth, never half-applied', () => {
  const { sim } = cluster(5);
  const before = sum(sim, 0);
  const sealer = createSecureCodec(plain, { keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  const forged = sealer.encode([M.alive('intruder', simulatedAddress(9), 1, []), M.left('n2', 99)]);
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, mask, cut) => {
      const b = Uint8Array.from(forged);
      if (cut) sim.deliver(0, sim.address(1), b.subarray(0, at % b.length));
      else {
        b[at % b.length]! ^= mask;
        sim.deliver(0, sim.address(1), b);
      }
    }),
    { numRuns: 2000 },
  );
  assert.equal(sum(sim, 0), before);
  assert.equal(sim.agent(0).core.member('intruder'), undefined);
  assert.ok((drops(sim, 0).auth ?? 0) > 0);
});

test('a compound with one wrongly typed field anywhere is dropped whole: the valid messages in it are not applied', () => {
  const { sim } = cluster(3);
  const sealer = createSecureCodec(plain, { keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  const samples: M.Message[] = [
    M.ping(1, 'n0', 'n1', 3),
    M.ack(1, 'n1', 3),
    M.pingReq(1, 'n2', sim.address(2), 'n1'),
    M.nack(1, 'n1'),
    M.alive('x', simulatedAddress(9), 1, ['k', 'v']),
    M.suspect('n2', 0, 'n1'),
    M.dead('n2', 0, 'n1'),
    M.left('n2', 0),
    M.pushPull('n1', 0, 0, 1, [M.entry('y', simulatedAddress(8), 0, 1, [])]),
  ];
  const wrongValues: unknown[] = [null, -1, 1.5, 2 ** 53, 'str', '', true, [], {}, 'x'.repeat(5000), [1, 2, 3]];
  const before = sum(sim, 0);
  let cases = 0;
  for (const m of samples) {
    for (const field of Object.keys(m)) {
      if (field === 'type') continue;
      for (const w of wrongValues) {
        const bad = { ...m, [field]: w } as unknown as M.Message;
        if (plain.decode(plain.encode([bad])).ok) continue; // not wrong for this field (e.g. '' tags list)
        cases++;
        // The valid alive rides before the bad message: it must not be applied either.
        sim.deliver(0, sim.address(1), sealer.encode([M.alive('half', simulatedAddress(7), 1, []), bad]));
      }
    }
  }
  assert.ok(cases > 80, `${cases} wrong-type cases`);
  assert.equal(sim.agent(0).core.member('half'), undefined, 'half-applied');
  assert.equal(sum(sim, 0), before);
  // Unknown types and versions.
  sim.deliver(0, sim.address(1), sealer.encode([{ ...M.nack(1, 'n1'), type: 77 } as unknown as M.Message]));
  const v2 = Uint8Array.from(plain.encode([M.ping(1, 'n0', 'n1', 1)]));
  v2[0] = 2;
  sim.deliver(0, sim.address(1), createEnvelope({ keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() }).wrap(SealKind.gossip, v2));
  const d = drops(sim, 0);
  assert.ok((d['unknown-type'] ?? 0) >= 1 && (d['bad-version'] ?? 0) >= 1, JSON.stringify(d));
});

test('a forged alive flood for 100,000 names cannot grow the table past its cap; the real cluster stays converged', () => {
  const cap = 40;
  const { sim } = cluster(10, cap);
  const sealer = createSecureCodec(plain, { keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  // An insider (holds the key) gone rogue: authentic packets, made-up members.
  for (let i = 0; i < 100_000; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => M.alive(`forged-${i + j}`, `10.9.${((i + j) >> 8) & 255}.${(i + j) & 255}:7946`, 1, []));
    sim.deliver(0, sim.address(1), sealer.encode(batch.slice(0, 25)));
    sim.deliver(
      0,
      sim.address(1),
      sealer.encode([
        M.pushPull(
          'n1',
          0,
          0,
          1,
          batch.slice(25).map((a) => M.entry(a.name, a.addr, 0, 1, [])),
        ),
      ]),
    );
  }
  assert.ok(sim.agent(0).members().length <= cap, `${sim.agent(0).members().length} rows`);
  assert.ok((drops(sim, 0)['member-cap'] ?? 0) > 99_000);
  // Known members still update under a full table: a tag change spreads.
  sim.agent(3).setTags({ zone: 'z' });
  sim.run(10_000);
  assert.equal(sim.agent(0).core.member('n3')?.tags.zone, 'z');
  for (let i = 0; i < 10; i++) assert.ok(sim.agent(i).members().length <= cap);
  const fp = sim.report().falsePositives;
  assert.equal(fp, 0);
});

test('names and tags over their caps are refused and counted as too-big-meta', () => {
  const { sim } = cluster(3);
  const sealer = createSecureCodec(plain, { keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  const bigTags = Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'.repeat(30)]).flat();
  sim.deliver(0, sim.address(1), sealer.encode([M.alive('fat', simulatedAddress(9), 1, bigTags)]));
  sim.deliver(0, sim.address(1), sealer.encode([M.alive('n'.repeat(200), simulatedAddress(9), 1, [])]));
  sim.deliver(0, sim.address(1), sealer.encode([M.pushPull('n1', 0, 0, 1, [M.entry('fat2', simulatedAddress(9), 2, 1, bigTags)])]));
  assert.equal(sim.agent(0).core.member('fat'), undefined);
  assert.equal(sim.agent(0).core.member('fat2'), undefined);
  assert.equal(drops(sim, 0)['too-big-meta'], 3);
});

test('a forged left or dead for a live member from another address is undone by the member itself', () => {
  const { sim } = cluster(8);
  const sealer = createSecureCodec(plain, { keyring: new Keyring([KEY]), label: 'prod', clock: () => sim.wallNow() });
  const inc = sim.agent(5).core.currentIncarnation;
  // An insider's forgery (it holds the key). The rumour spreads; the accused hears it at its
  // next push-pull and refutes with a higher incarnation: within ~2 push-pull intervals (lan:
  // 30 s). See the report for a core change that would make the accused hear it at once.
  sim.deliver(0, sim.address(1), sealer.encode([M.left('n5', inc + 3), M.dead('n6', 0, 'n1')]));
  assert.ok(
    sim.runUntil(() => sim.checkConverged(), 120_000, 1000),
    `seed ${SEED}`,
  );
  for (let i = 0; i < 8; i++) {
    assert.equal(sim.view(i, 5), 'alive');
    assert.equal(sim.view(i, 6), 'alive');
  }
  // The same forgery without the key does nothing at all.
  const outsider = createSecureCodec(plain, { keyring: new Keyring([generateKey()]), label: 'prod', clock: () => sim.wallNow() });
  const before = sum(sim, 0);
  sim.deliver(0, sim.address(1), outsider.encode([M.left('n5', 1000)]));
  sim.deliver(0, sim.address(1), createSecureCodec(plain, { label: 'prod' }).encode([M.left('n5', 1000)]));
  assert.equal(sum(sim, 0), before);
});

test('key-management bodies: any JSON or bytes give a message or nothing, never a throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.json().map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 300 }),
        fc.anything().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      ),
      (b) => {
        const m = decodeKeyMessage(b);
        if (m) assert.ok(m.t === 'req' || m.t === 'res');
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(decodeKeyMessage(Buffer.from(JSON.stringify({ t: 'req', id: 'a', op: 'remove', from: 'x', at: 1 }))), undefined, 'remove needs a key');
  assert.equal(decodeKeyMessage(Buffer.alloc(9000, 0x20)), undefined, 'over the body cap');
});
