import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { createCodec } from '../../src/wire/codec.js';
import { nameProblem, tagValueProblem } from '../../src/wire/values.js';
import * as M from '../../src/core/messages.js';
import { Swim } from '../../src/core/swim.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';

const codec = createCodec();
// Valid values only: what the CLI accepts (values.ts); the refusals have their own properties.
const name = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => nameProblem(s) === undefined);
const octet = fc.nat(255);
const port = fc.integer({ min: 1, max: 65535 });
const address = fc.oneof(
  fc.tuple(octet, octet, octet, octet, port).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}:${p}`),
  fc.tuple(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), port).map(([hs, p]) => `[${hs.map((h) => h.toString(16)).join(':')}]:${p}`),
  fc.tuple(fc.domain(), port).map(([h, p]) => `${h}:${p}`),
);
const u32 = fc.nat(0xffffffff);
const inc = fc.nat(1_000_000);
const tags = fc
  .uniqueArray(
    fc.tuple(
      name.filter((k) => k.length <= 8),
      fc.string({ maxLength: 16 }).filter((v) => tagValueProblem(v) === undefined),
    ),
    { maxLength: 4, selector: ([k]) => k },
  )
  .map((kv) => kv.sort(([a], [b]) => (a < b ? -1 : 1)).flat());
const entry = fc.tuple(name, address, fc.integer({ min: 0, max: 3 }), inc, tags).map(([n, a, s, i, t]) => M.entry(n, a, s, i, t));
const message: fc.Arbitrary<M.Message> = fc.oneof(
  fc.tuple(u32, name, name, fc.nat(100_000)).map(([s, t, f, k]) => M.ping(s, t, f, k)),
  fc.tuple(u32, name, fc.nat(100_000)).map(([s, f, k]) => M.ack(s, f, k)),
  fc.tuple(u32, name, address, name).map(([s, t, a, f]) => M.pingReq(s, t, a, f)),
  fc.tuple(u32, name).map(([s, f]) => M.nack(s, f)),
  fc.tuple(name, address, inc, tags).map(([n, a, i, t]) => M.alive(n, a, i, t)),
  fc.tuple(name, inc, name).map(([n, i, f]) => M.suspect(n, i, f)),
  fc.tuple(name, inc, name).map(([n, i, f]) => M.dead(n, i, f)),
  fc.tuple(name, inc).map(([n, i]) => M.left(n, i)),
  fc.tuple(name, fc.integer({ min: 0, max: 3 }), fc.array(entry, { maxLength: 5 })).map(([f, fl, es]) => M.pushPull(f, fl, 0, 1, es)),
  fc.tuple(name, fc.maxSafeNat(), fc.nat(100_000)).map(([f, d, n]) => M.digest(f, d, n)),
  fc.tuple(fc.maxSafeNat(), name, fc.uint8Array({ maxLength: 64 }), fc.nat(1)).map(([t, n, p, f]) => M.userEvent(t, n, p, f)),
  fc
    .tuple(
      fc.maxSafeNat(),
      u32,
      name,
      address,
      name,
      fc.uint8Array({ maxLength: 32 }),
      fc.nat(5),
      fc.integer({ min: 1, max: 60_000 }),
      fc.array(name, { maxLength: 3 }),
    )
    .map(([t, id, from, a, n, p, relay, timeout, nodes]) =>
      M.query(t, id, from, a, n, p, 1, relay, timeout, [...nodes.flatMap((x) => ['n', x]), 't', 'role', '^db$']),
    ),
  fc
    .tuple(fc.maxSafeNat(), u32, name, fc.uint8Array({ maxLength: 32 }), fc.option(address, { nil: '' }))
    .map(([t, id, from, p, to]) => M.queryResponse(t, id, from, 0, p, to)),
);
const packet = fc.array(message, { minLength: 1, maxLength: 20 });

test('every message survives a round trip, alone and in compounds of any size', () => {
  fc.assert(
    fc.property(packet, (msgs) => {
      const r = codec.decode(codec.encode(msgs));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.value, msgs);
    }),
  );
});

test('records keep a ping with 8 piggybacked updates small (under 300 bytes)', () => {
  const ups = Array.from({ length: 8 }, (_, i) => M.alive(`node-${i}`, `10.0.0.${i}:7946`, i, ['zone', 'a']));
  const bytes = codec.encode([M.ping(5, 'node-1', 'node-2', 10), ...ups]);
  assert.ok(bytes.length < 300, `${bytes.length} bytes`);
  assert.equal(codec.sizeOf(ups[0]!) < 40, true);
});

test('random bytes never throw: a value or a counted reason', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, versioned) => {
      // Half the cases carry a valid version byte, so the decoder proper sees the garbage.
      if (versioned && bytes.length > 0) bytes[0] = M.PROTOCOL_VERSION;
      const r = codec.decode(bytes);
      if (!r.ok) assert.equal(typeof r.reason, 'string');
    }),
    { numRuns: 2000 },
  );
});

test('truncated and bit-flipped valid packets never throw, and what decodes is well-formed', () => {
  fc.assert(
    fc.property(packet, fc.nat(), fc.nat(), fc.boolean(), (msgs, cut, flip, doFlip) => {
      const good = codec.encode(msgs);
      const bytes = doFlip ? Uint8Array.from(good) : good.subarray(0, cut % good.length);
      if (doFlip) bytes[flip % bytes.length]! ^= 1 << (flip % 8);
      const r = codec.decode(bytes);
      // 1..14: ping .. query response (a flipped bit can turn one valid type into another).
      if (r.ok) for (const m of r.value) assert.ok(m.type >= 1 && m.type <= M.MsgType.QueryResponse);
    }),
    { numRuns: 2000 },
  );
});

test('hostile shapes: huge declared lengths, deep nesting, wrong types, unknown types and versions', () => {
  const cases: [string, number[]][] = [
    ['array32 of 4G items', [1, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['str32 of 4 GB', [1, 0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ['map32 huge', [1, 0xdf, 0xff, 0xff, 0xff, 0xff]],
    ['bad version', [9, 0x90]],
    ['empty', [1]],
    ['not a compound', [1, 0x05]],
    ['deep nesting', [1, ...Array(100_000).fill(0x91), 0x01]],
  ];
  for (const [what, bytes] of cases) {
    const r = codec.decode(Uint8Array.from(bytes));
    assert.equal(r.ok, false, what);
  }
  // A well-formed compound whose message has a wrong field type is dropped whole.
  const wrong = codec.encode([M.ping(1, 'a', 'b', 1)]);
  const obj = codec.decode(wrong);
  assert.ok(obj.ok);
  const packr = codec.encode([{ ...M.ping(1, 'a', 'b', 1), seq: -1 } as M.Message]);
  assert.equal(codec.decode(packr).ok, false, 'negative seq');
  // A message type we do not know, in a shape we do (a newer peer's type in a shared shape).
  const unknown = codec.encode([{ ...M.ping(1, 'a', 'b', 1), type: 200 } as unknown as M.Message]);
  const u = codec.decode(unknown);
  assert.ok(!u.ok && u.reason === 'unknown-type');
});

test('garbage never throws out of the core either', () => {
  const core = new Swim({ name: 'a', address: 'a', config: lan }, { random: new SeededRandom(1), sizeOf: codec.sizeOf }, 0);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(100_000), (bytes, t) => {
      const r = codec.decode(bytes);
      if (r.ok) core.step({ type: 'packet', from: 'x', messages: r.value }, t);
      core.step({ type: 'tick' }, t);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(packet, fc.nat(100_000), (msgs, t) => {
      core.step({ type: 'packet', from: 'x', messages: msgs }, t);
    }),
    { numRuns: 500 },
  );
});

test('a user event with a payload over the wire cap, a bad name or a payload that is not bytes is refused and counted', () => {
  const enc = (m: unknown) => codec.encode([m as M.Message]);
  const over = codec.decode(enc(M.userEvent(1, 'big', new Uint8Array(16_385), 0)));
  assert.equal(!over.ok && over.reason, 'too-big-payload');
  const atCap = codec.decode(enc(M.userEvent(1, 'big', new Uint8Array(16_384), 0)));
  assert.ok(atCap.ok);
  const badName = codec.decode(enc(M.userEvent(1, 'two words', new Uint8Array(1), 0)));
  assert.equal(!badName.ok && badName.reason, 'bad-name');
  const notBytes = codec.decode(enc({ ...M.userEvent(1, 'x', new Uint8Array(1), 0), payload: 'text' }));
  assert.equal(!notBytes.ok && notBytes.reason, 'bad-shape');
});

test('queries with a bad filter list, relay factor or timeout, and responses to a bad address, are refused', () => {
  const enc = (m: unknown) => codec.decode(codec.encode([m as M.Message]));
  const q = (over: Record<string, unknown>) => ({ ...M.query(1, 1, 'a', '127.0.0.1:1', 'who', new Uint8Array(0), 1, 0, 1000, []), ...over });
  assert.ok(enc(q({})).ok);
  assert.equal((enc(q({ filters: ['x', 'y'] })) as { reason: string }).reason, 'bad-shape');
  assert.equal((enc(q({ filters: ['n', 'two words'] })) as { reason: string }).reason, 'bad-name');
  assert.equal((enc(q({ filters: ['t', 'role', 'x'.repeat(257)] })) as { reason: string }).reason, 'bad-shape');
  assert.equal((enc(q({ relay: 6 })) as { reason: string }).reason, 'bad-shape');
  assert.equal((enc(q({ timeout: 0 })) as { reason: string }).reason, 'bad-shape');
  assert.equal((enc(q({ addr: 'nowhere' })) as { reason: string }).reason, 'bad-address');
  assert.equal((enc(M.queryResponse(1, 1, 'a', 0, new Uint8Array(0), 'nowhere')) as { reason: string }).reason, 'bad-address');
});

test('shareDecoded: a packet the codec encoded decodes to the messages a full decode gives, shared between receivers', () => {
  fc.assert(
    fc.property(packet, (msgs) => {
      const shared = createCodec({ shareDecoded: true });
      const bytes = shared.encode(msgs);
      const first = shared.decode(bytes);
      const again = shared.decode(bytes);
      assert.ok(first.ok && again.ok);
      assert.deepEqual(first.value, msgs);
      // The second receiver gets the very objects the first did: decoded once, not per receiver.
      for (let i = 0; i < msgs.length; i++) assert.equal(again.value[i], first.value[i]);
      // Passed on, a decoded message is its own decoding, and what a plain codec reads there.
      const relayed = shared.encode(first.value);
      const hop = shared.decode(relayed);
      assert.ok(hop.ok);
      for (let i = 0; i < msgs.length; i++) assert.equal(hop.value[i], first.value[i]);
      assert.deepEqual(codec.decode(relayed), hop);
    }),
    { numRuns: Number(process.env.RUNS ?? 50) },
  );
});

test('shareDecoded: a refused packet is refused at every decode, and bytes from elsewhere take the full path', () => {
  const shared = createCodec({ shareDecoded: true });
  const bad = shared.encode([M.alive('has space', '10.0.0.1:7946', 1, [])]);
  for (let i = 0; i < 2; i++) assert.deepEqual(shared.decode(bad), codec.decode(bad));
  const good = shared.encode([M.ping(1, 'a', 'b', 3)]);
  assert.ok(shared.decode(good).ok);
  // A copy is not the codec's own packet: decoded in full, into new objects.
  const copy = Uint8Array.from(good);
  const a = shared.decode(good);
  const b = shared.decode(copy);
  assert.ok(a.ok && b.ok);
  assert.deepEqual(a.value, b.value);
  assert.notEqual(a.value[0], b.value[0]);
});

test('shareDecoded: a state transfer of entries decoded before shares their decodings, and its header is checked as in a full decode', () => {
  const shared = createCodec({ shareDecoded: true });
  const rows = Array.from({ length: 30 }, (_, i) => M.entry(`m${i}`, `10.0.0.${i}:7946`, 0, i, ['zone', 'a']));
  const first = shared.decode(shared.encode([M.pushPull('a', 0, 0, 1, rows)]));
  const second = shared.decode(shared.encode([M.pushPull('b', 1, 0, 1, rows)]));
  assert.ok(first.ok && second.ok);
  const [p1, p2] = [first.value[0] as M.PushPull, second.value[0] as M.PushPull];
  for (let i = 0; i < rows.length; i++) assert.equal(p2.entries[i], p1.entries[i]);
  assert.deepEqual(second, codec.decode(codec.encode([M.pushPull('b', 1, 0, 1, rows)])));
  // Known entries under a header a full decode refuses: refused all the same.
  const bad = shared.encode([M.pushPull('has space', 0, 0, 1, rows)]);
  assert.deepEqual(shared.decode(bad), codec.decode(bad));
  const badPart = shared.encode([M.pushPull('a', 0, 3, 2, rows)]);
  assert.deepEqual(shared.decode(badPart), codec.decode(badPart));
});

test("a state transfer assembled from its entries' cached encodings is byte for byte what msgpackr packs", () => {
  const reference = new Packr({
    structures: M.RECORD_SHAPES.map((s) => [...s]),
    maxSharedStructures: M.RECORD_SHAPES.length,
    useRecords: true,
    moreTypes: false,
    bundleStrings: false,
  });
  fc.assert(
    fc.property(name, fc.nat(7), fc.array(entry, { maxLength: 40 }), (from, flags, entries) => {
      const m = M.pushPull(from, flags, 0, 1, entries);
      const bytes = createCodec().encode([m]);
      assert.deepEqual(bytes.subarray(2), new Uint8Array(reference.pack(m)));
    }),
    { numRuns: 100 },
  );
});

test('shareDecoded: a state transfer whose entries are not rows is refused as a plain codec refuses it, never a throw', () => {
  const shared = createCodec({ shareDecoded: true });
  for (const entries of [null, [null], [1, 'x'], 'rows']) {
    const m = { ...M.pushPull('a', 0, 0, 1, []), entries } as unknown as M.Message;
    const bytes = shared.encode([m]);
    for (let i = 0; i < 2; i++) assert.deepEqual(shared.decode(bytes), codec.decode(codec.encode([m])));
  }
});
