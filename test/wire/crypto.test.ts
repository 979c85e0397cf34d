import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { open, seal, sealedAt, sealKey, SealKind, SEAL_OVERHEAD_BYTES } from '../../src/wire/crypto.js';
import { fingerprint, generateKey, Keyring, MAX_KEYS, parseKey } from '../../src/wire/keyring.js';
import { createCodec } from '../../src/wire/codec.js';
import { createSecureCodec } from '../../src/wire/secure.js';
import { createEnvelope } from '../../src/wire/envelope.js';
import * as M from '../../src/core/messages.js';
import { ClusterError } from '../../src/errors.js';

const label = Buffer.from('prod-eu', 'utf8');
const k1 = sealKey(parseKey(generateKey()));
const lookup1 = (id: number) => (id === k1.id ? k1 : undefined);
const NOW_S = Math.floor(Date.now() / 1000);

test('a sealed datagram opens to the same bytes, and costs 38 bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), (plain) => {
      const s = seal(k1, SealKind.gossip, plain, label, NOW_S);
      assert.equal(s.length, plain.length + SEAL_OVERHEAD_BYTES);
      const r = open(s, lookup1, label);
      assert.ok(r.ok);
      assert.deepEqual(Buffer.from(r.value.plaintext), Buffer.from(plain));
      assert.equal(r.value.kind, SealKind.gossip);
    }),
    { numRuns: 200 },
  );
});

test('two seals of the same bytes differ (random nonce)', () => {
  const p = Buffer.from('same');
  assert.notDeepEqual(Buffer.from(seal(k1, 0, p, label, NOW_S)), Buffer.from(seal(k1, 0, p, label, NOW_S)));
});

test('tampering with any single byte of a sealed datagram makes it fail to open', () => {
  const plain = createCodec().encode([M.ping(7, 'b', 'a', 3), M.alive('c', '10.0.0.3:7946', 4, ['zone', 'x'])]);
  const s = seal(k1, SealKind.gossip, plain, label, NOW_S);
  for (let i = 0; i < s.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const t = Uint8Array.from(s);
      t[i]! ^= mask;
      const r = open(t, lookup1, label);
      assert.equal(r.ok, false, `byte ${i} ^ ${mask} still opened`);
    }
  }
  // Truncated or extended: fails too.
  assert.equal(open(s.subarray(0, s.length - 1), lookup1, label).ok, false);
  assert.equal(open(Buffer.concat([s, Buffer.from([0])]), lookup1, label).ok, false);
});

test('another label, another key or a flipped kind fails', () => {
  const s = seal(k1, SealKind.gossip, Buffer.from('hello'), label, NOW_S);
  const other = open(s, lookup1, Buffer.from('prod-us'));
  assert.equal(other.ok ? '' : other.reason, 'auth');
  const k2 = sealKey(parseKey(generateKey()));
  const r = open(s, (id) => (id === k2.id ? k2 : undefined), label);
  assert.equal(r.ok ? '' : r.reason, 'unknown-key');
  // A key that claims the right id but is not the key: tag fails.
  const liar = open(s, () => k2, label);
  assert.equal(liar.ok ? '' : liar.reason, 'auth');
});

test('keyring: primary seals, any installed key opens, primary cannot be removed', () => {
  const a = generateKey();
  const b = generateKey();
  const ring = new Keyring([a]);
  const changes: string[] = [];
  ring.onChange((v) => changes.push(v.primary));
  assert.equal(ring.install(b), true);
  assert.equal(ring.install(b), false, 'idempotent');
  const oldSeal = seal(ring.primary, 0, Buffer.from('x'), label, NOW_S);
  assert.equal(ring.use(b), true);
  assert.equal(ring.primary.id, sealKey(parseKey(b)).id);
  assert.ok(open(oldSeal, ring.lookup, label).ok, 'the old key still opens');
  assert.throws(
    () => ring.remove(b),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEY_PRIMARY' && /primary/.test(e.message),
  );
  assert.equal(ring.remove(a), true);
  assert.equal(open(oldSeal, ring.lookup, label).ok, false, 'the removed key no longer opens');
  assert.deepEqual(ring.view().keys, [b]);
  assert.equal(changes.length, 3);
  assert.throws(
    () => ring.use(a),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEY_NOT_INSTALLED',
  );
  assert.throws(
    () => new Keyring(['short']),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEY',
  );
  assert.throws(
    () => new Keyring([]),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEY',
  );
});

test('keyring: at most MAX_KEYS (16) keys, a clear error beyond; a full keyring still rotates', () => {
  const keys = Array.from({ length: MAX_KEYS }, () => generateKey());
  const ring = new Keyring(keys);
  assert.equal(MAX_KEYS, 16);
  assert.equal(ring.size, 16);
  assert.equal(ring.install(keys[3]!), false, 'an installed key is no new key');
  assert.throws(
    () => ring.install(generateKey()),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEYRING_FULL' && /16 keys/.test(e.message) && /remove/.test(e.message),
  );
  assert.equal(ring.size, 16, 'nothing added');
  ring.remove(keys[5]!);
  assert.equal(ring.install(generateKey()), true, 'room again after a remove');
  assert.throws(
    () => new Keyring([...keys, generateKey()]),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_KEY' && /at most 16/.test(e.message),
  );
});

test('keyring: a key is named by a fingerprint that does not reveal it; lookup by fingerprint', () => {
  const a = generateKey();
  const b = generateKey();
  const ring = new Keyring([a, b]);
  const fa = fingerprint(parseKey(a));
  assert.match(fa, /^[0-9a-f]{16}$/);
  assert.ok(!a.includes(fa) && fa !== fingerprint(parseKey(b)));
  assert.deepEqual(ring.fingerprints(), [fa, fingerprint(parseKey(b))]);
  assert.equal(ring.keyOf(fa), a);
  assert.equal(ring.keyOf('0000000000000000'), undefined);
});

test('secure codec: round trip; plaintext, wrong key and wrong label are counted reasons', () => {
  const key = generateKey();
  const plainCodec = createCodec();
  const enc = createSecureCodec(plainCodec, { keyring: new Keyring([key]), label: 'prod' });
  const msgs = [M.ping(1, 'b', 'a', 2)];
  const r = enc.decode(enc.encode(msgs));
  assert.ok(r.ok);
  assert.deepEqual(r.value, msgs);
  const reason = (x: ReturnType<typeof enc.decode>): string => (x.ok ? 'ok' : x.reason);
  assert.equal(reason(enc.decode(createSecureCodec(plainCodec, { label: 'prod' }).encode(msgs))), 'plaintext');
  assert.equal(reason(enc.decode(createSecureCodec(plainCodec, { keyring: new Keyring([generateKey()]), label: 'prod' }).encode(msgs))), 'unknown-key');
  assert.equal(reason(enc.decode(createSecureCodec(plainCodec, { keyring: new Keyring([key]), label: 'test' }).encode(msgs))), 'label');
  assert.equal(reason(enc.decode(createSecureCodec(plainCodec, { keyring: new Keyring([key]) }).encode(msgs))), 'label');
  assert.equal(reason(createSecureCodec(plainCodec, {}).decode(enc.encode(msgs))), 'label');
  assert.equal(reason(createSecureCodec(plainCodec, { label: 'prod' }).decode(enc.encode(msgs))), 'unknown-key');
});

test('rolling upgrade modes: verifyOutgoing=false sends plaintext, verifyIncoming=false accepts both', () => {
  const key = generateKey();
  const c = createCodec();
  const plain = createSecureCodec(c, {});
  const step1 = createSecureCodec(c, { keyring: new Keyring([key]), verifyIncoming: false, verifyOutgoing: false });
  const step2 = createSecureCodec(c, { keyring: new Keyring([key]), verifyIncoming: false });
  const step3 = createSecureCodec(c, { keyring: new Keyring([key]) });
  const msgs = [M.nack(1, 'a')];
  const ok = (dec: typeof plain, enc: typeof plain): boolean => dec.decode(enc.encode(msgs)).ok;
  // Each neighbouring pair of steps understands each other both ways: no split at any point.
  assert.ok(ok(plain, step1) && ok(step1, plain));
  assert.ok(ok(step1, step2) && ok(step2, step1));
  assert.ok(ok(step2, step3) && ok(step3, step2));
  assert.equal(ok(plain, step2), false, 'a plaintext agent cannot read sealed packets: finish step 1 first');
  assert.equal(ok(step3, step1), false, 'enforcing agents refuse plaintext');
});

test('envelope: key management is sealed even when gossip goes in clear, and its kind is authenticated', () => {
  const ring = new Keyring([generateKey()]);
  const env = createEnvelope({ keyring: ring, verifyOutgoing: false, verifyIncoming: false, label: 'l' });
  const w = env.wrap(SealKind.keys, Buffer.from('{}'));
  assert.equal(env.peekKind(w), SealKind.keys);
  const r = env.unwrap(w);
  assert.ok(r.ok && r.value.sealed && r.value.kind === SealKind.keys);
  const g = env.wrap(SealKind.gossip, Buffer.from([1, 0x90]));
  assert.equal(env.peekKind(g), SealKind.gossip);
  // Flip the kind byte (after the 3-byte label frame): the tag fails.
  const t = Uint8Array.from(w);
  t[4] = SealKind.gossip;
  assert.equal(env.unwrap(t).ok, false);
});

test('envelope: a datagram sealed outside the replay window (either side of our clock) is dropped as stale before opening', () => {
  const ring = new Keyring([generateKey()]);
  let senderNow = Date.UTC(2030, 0, 1);
  const receiverNow = senderNow;
  const sender = createEnvelope({ keyring: ring, label: 'l', clock: () => senderNow });
  const receiver = createEnvelope({ keyring: ring, label: 'l', clock: () => receiverNow });
  const reason = (b: Uint8Array): string => {
    const r = receiver.unwrap(b);
    return r.ok ? 'ok' : r.reason;
  };
  const at = (offsetMs: number): Uint8Array => {
    senderNow = receiverNow + offsetMs;
    return sender.wrap(SealKind.gossip, Buffer.from([1, 0x90]));
  };
  const w = at(0);
  assert.equal(sealedAt(w.subarray(3)), receiverNow / 1000, "the seal carries the sender's clock in seconds");
  assert.equal(reason(w), 'ok');
  // Default window: 10 minutes, plus the second lost to rounding.
  assert.equal(reason(at(-600_000)), 'ok');
  assert.equal(reason(at(600_000)), 'ok');
  assert.equal(reason(at(-602_000)), 'stale');
  assert.equal(reason(at(602_000)), 'stale');
  assert.equal(reason(at(-30 * 86_400_000)), 'stale');
  // The time is authenticated: moving it into the window breaks the tag.
  const old = Buffer.from(at(-3_600_000));
  old.writeUInt32BE(receiverNow / 1000, 3 + 6); // after the 3-byte label frame, at offset 6 of the seal
  assert.equal(reason(old), 'auth');
  // Window 0: no replay bound (as memberlist).
  const lax = createEnvelope({ keyring: ring, label: 'l', replayWindowMs: 0, clock: () => receiverNow });
  assert.ok(lax.unwrap(at(-30 * 86_400_000)).ok);
});
