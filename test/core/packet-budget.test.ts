/**
 * What fits in a packet (issue 18, finding 11): a `left` to a departed member goes bare; an
 * update too big for any packet is dropped and counted, not left in the queue forever; our own
 * alive message always fits, so we can always refute; the relays' earliest nack is kept as they
 * change, not found by walking them all at every deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import { Driver } from '../../src/agent/driver.js';
import * as M from '../../src/core/messages.js';
import type { Output } from '../../src/core/io.js';
import { lan, resolveConfig, type ProtocolConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';
import { ClusterError } from '../../src/errors.js';

const codec = createCodec();
const make = (config: ProtocolConfig = lan) => new Swim({ name: 'a', address: 'a-addr', config }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, 0);
const sends = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'send' }> => o.type === 'send');
const learn = (core: Swim, names: string[], at = 0) => core.step({ type: 'packet', from: 'x', messages: names.map((n) => M.alive(n, `${n}-addr`, 0, [])) }, at);

test('every agent tells a departed member of its `left` in a bare datagram, without piggybacked news', () => {
  const a = make();
  learn(a, ['b', 'c', 'd', 'e', 'f', 'g']); // six joins queued as news
  assert.ok(a.pendingBroadcasts > 0);
  const toB = sends(a.step({ type: 'packet', from: 'c-addr', messages: [M.left('b', 1)] }, 10)).filter((s) => s.to === 'b-addr');
  assert.equal(toB.length, 1);
  assert.deepEqual(toB[0]!.messages, [M.left('b', 1)]);
});

test('an update too big for any packet is dropped and counted, not queued forever', () => {
  const config = resolveConfig({ packetBudgetBytes: 512, maxTagsBytes: 312, maxNameBytes: 255 });
  const a = make(config);
  learn(a, ['b', 'c']);
  for (let t = a.nextDeadline(); a.pendingBroadcasts > 0 && t < 60_000; t = a.nextDeadline()) a.step({ type: 'tick' }, t);
  assert.equal(a.pendingBroadcasts, 0, 'the small news went out');
  const big = M.alive('z'.repeat(200), '127.0.0.9:7946', 0, ['k', 'v'.repeat(300)]);
  assert.ok(codec.sizeOf(big) > 512, `the update takes ${codec.sizeOf(big)} bytes`);
  a.step({ type: 'packet', from: 'b-addr', messages: [big] }, 60_000);
  assert.equal(a.member(big.name)?.state, 'alive', 'the member is still taken');
  assert.equal(a.pendingBroadcasts, 0, 'but not queued');
  assert.equal(a.counters().oversizedUpdates, 1);
});

test('tags that would make our own alive message too big for a packet are refused up front', () => {
  const config = resolveConfig({ packetBudgetBytes: 512, maxTagsBytes: 312, maxNameBytes: 255 });
  const deps = {
    transport: { address: '127.0.0.1:7946', send: () => {}, onPacket: () => {}, close: async () => {} },
    scheduler: { now: () => 0, wakeAt: () => {}, cancel: () => {} },
    random: new SeededRandom(1),
    codec,
  };
  const tags = { k: 'v'.repeat(300) }; // within maxTagsBytes on its own
  const isTooLarge = (e: unknown) => e instanceof ClusterError && e.code === 'ERR_TAGS_TOO_LARGE' && /could not refute/.test(e.message);
  assert.throws(() => new Driver({ name: 'n'.repeat(200), tags, config }, deps), isTooLarge);
  const d = new Driver({ name: 'n'.repeat(200), config }, deps);
  assert.throws(() => d.setTags(tags), isTooLarge);
  const short = new Driver({ name: 'short', tags, config }, deps);
  assert.deepEqual(short.core.member('short')?.tags, tags, 'the same tags fit with a short name');
});

test('nacks of relayed pings go out on time as relays come and go', () => {
  const a = make();
  learn(a, ['b', 'c', 'd']);
  const nackAfter = Math.floor(0.8 * Math.min(lan.probeTimeoutMs, lan.probeIntervalMs - lan.probeTimeoutMs));
  const relay = (seq: number, at: number) => sends(a.step({ type: 'packet', from: 'b-addr', messages: [M.pingReq(seq, 'c', 'c-addr', 'b')] }, at))[0]!;
  const first = relay(1, 100);
  relay(2, 150);
  // c answers the first relayed ping: only the second gets a nack, at its own time.
  a.step({ type: 'packet', from: 'c-addr', messages: [M.ack((first.messages[0] as M.Ping).seq, 'c', 4)] }, 120);
  const nacks: { at: number; seq: number }[] = [];
  for (let t = a.nextDeadline(); t <= 150 + nackAfter; t = a.nextDeadline()) {
    for (const s of sends(a.step({ type: 'tick' }, t))) if (s.messages[0]!.type === M.MsgType.Nack) nacks.push({ at: t, seq: (s.messages[0] as M.Nack).seq });
  }
  assert.deepEqual(nacks, [{ at: 150 + nackAfter, seq: 2 }]);
});
