/**
 * User events in the core: delivered once per agent (recent-event buffer), refused when older
 * than the buffer, stamped by a Lamport clock, and carried in their own queue with their own
 * share of each packet, so neither events nor membership news starve the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import { RecentEvents } from '../../src/core/user-events.js';
import * as M from '../../src/core/messages.js';
import type { Output } from '../../src/core/io.js';
import { lan, resolveConfig, type ProtocolConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();
const bytes = (s: string) => new TextEncoder().encode(s);
const make = (config: ProtocolConfig = lan) =>
  new Swim({ name: 'a', address: '127.0.0.1:1', config }, { random: new SeededRandom(42), sizeOf: codec.sizeOf }, 0);
const addr = (n: string) => `127.0.1.${n.charCodeAt(0) % 250}:7946`;
const learn = (core: Swim, names: string[], at = 0) =>
  core.step({ type: 'packet', from: addr('x'), messages: names.map((n) => M.alive(n, addr(n), 0, [])) }, at);
const userEvents = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'user-event' }> => o.type === 'user-event').map((o) => o.event);
const sends = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'send' }> => o.type === 'send');

test('the recent-event buffer lets each event through once and refuses ones older than the buffer', () => {
  const r = new RecentEvents(4);
  const e = (ltime: number, name = 'deploy', payload = 'v1') => ({ ltime, name, payload: bytes(payload) });
  assert.equal(r.accept(e(0)), 'new');
  assert.equal(r.accept(e(0)), 'duplicate');
  assert.equal(r.accept(e(0, 'deploy', 'v2')), 'new', 'same time, other payload: another event');
  assert.equal(r.accept(e(0, 'other')), 'new', 'same time, other name: another event');
  assert.equal(r.clock.time, 1, 'the clock moved past what it saw');
  assert.equal(r.accept(e(9)), 'new');
  assert.equal(r.clock.time, 10);
  assert.equal(r.accept(e(5)), 'too-old', 'outside the last 4 Lamport times');
  assert.equal(r.accept(e(6)), 'new', 'just inside');
  assert.equal(r.accept(e(6)), 'duplicate');
});

test('the buffer gives back the events stamped at or after a clock, oldest first, only within its window', () => {
  const r = new RecentEvents(4);
  const e = (ltime: number, name = 'deploy') => ({ ltime, name, payload: bytes('v') });
  for (const t of [0, 1, 1, 3]) r.accept(e(t, `e${t}`));
  r.accept(e(1, 'other'));
  assert.deepEqual(
    r.since(1).map((x) => `${x.ltime}:${x.name}`),
    ['1:e1', '1:other', '3:e3'],
  );
  assert.deepEqual(r.since(4), [], 'a clock at ours: nothing missed');
  r.accept(e(6, 'e6'));
  assert.deepEqual(
    r.since(0).map((x) => x.ltime),
    [3, 6],
    'what fell out of the window is gone',
  );
});

test('an event of ours is delivered to us once, stamped with our Lamport clock, and gossiped; a copy heard back is a duplicate', () => {
  const a = make();
  learn(a, ['b', 'c']);
  a.step({ type: 'packet', from: addr('b'), messages: [M.userEvent(41, 'seen', bytes(''), 0)] }, 1);
  const outs = a.step({ type: 'user-event', name: 'deploy', payload: bytes('v42'), coalesce: true }, 2);
  const [mine] = userEvents(outs);
  assert.deepEqual(mine, { name: 'deploy', payload: bytes('v42'), ltime: 42, coalesce: true }, 'after the 41 it witnessed');
  assert.equal(a.pendingUserMessages, 2);
  const carried = new Set<string>();
  for (let t = a.nextDeadline(); a.pendingUserMessages > 0 && t < 60_000; t = a.nextDeadline()) {
    for (const s of sends(a.step({ type: 'tick' }, t))) for (const m of s.messages) if (m.type === M.MsgType.UserEvent) carried.add(m.name);
  }
  assert.deepEqual([...carried].sort(), ['deploy', 'seen']);
  const again = a.step({ type: 'packet', from: addr('c'), messages: [M.userEvent(42, 'deploy', bytes('v42'), 1)] }, 60_000);
  assert.deepEqual(userEvents(again), []);
  assert.equal(a.counters().userEventDuplicates, 1);
  assert.equal(a.counters().userEvents, 2);
});

test('events from a stranger are dropped: nobody makes the cluster gossip for it', () => {
  const a = make();
  learn(a, ['b']);
  const outs = a.step({ type: 'packet', from: '127.0.9.9:7946', messages: [M.userEvent(1, 'x', bytes(''), 0)] }, 1);
  assert.deepEqual(userEvents(outs), []);
  assert.ok(outs.some((o) => o.type === 'note' && o.note.kind === 'dropped' && o.note.reason === 'event-from-stranger'));
});

/** Every packet a gossip round sends, split into membership news and user events (bytes). */
function shares(core: Swim, t: number) {
  const packets = sends(core.step({ type: 'tick' }, t));
  return packets.map((p) => {
    let news = 0;
    let events = 0;
    for (const m of p.messages) {
      if (m.type === M.MsgType.UserEvent) events += codec.sizeOf(m);
      else news += codec.sizeOf(m);
    }
    return { news, events };
  });
}

test('a burst of events leaves membership news its share of every packet, and news leaves events theirs', () => {
  const config = resolveConfig({ userEventShare: 0.5 });
  const budget = config.packetBudgetBytes;
  const a = make(config);
  const names = Array.from({ length: 400 }, (_, i) => `member-with-a-longish-name-${i}`);
  learn(a, names); // 400 joins: news for dozens of packets
  for (let i = 0; i < 400; i++) a.step({ type: 'user-event', name: `event-${i}`, payload: bytes('x'.repeat(40)), coalesce: false }, 1);
  assert.ok(a.pendingBroadcasts > 100 && a.pendingUserMessages === 400);
  const rounds = shares(a, a.nextDeadline());
  // The gossip packets (gossipNodes of them) carry both; the extra packets carry events alone.
  const gossip = rounds.slice(0, config.gossipNodes);
  assert.equal(gossip.length, config.gossipNodes);
  for (const r of gossip) {
    assert.ok(r.news >= 0.4 * budget, `membership news kept its room: ${r.news} bytes of ${budget}`);
    assert.ok(r.events >= 0.4 * budget, `events kept theirs: ${r.events} bytes of ${budget}`);
  }
  const extra = rounds.slice(config.gossipNodes);
  assert.equal(extra.length, config.userEventPackets);
  for (const r of extra) assert.ok(r.news === 0 && r.events > 0.9 * budget, `an events-only packet: ${JSON.stringify(r)}`);
  // Only news pending: it takes the whole packet.
  const b = make(config);
  learn(b, names);
  for (const r of shares(b, b.nextDeadline())) assert.ok(r.news > 0.9 * budget && r.events === 0, `${r.news} bytes of news alone`);
});

test('an event within userEventMaxBytes but too big for a packet is refused when sent, not queued forever', async () => {
  const { Driver } = await import('../../src/agent/driver.js');
  const { ClusterError } = await import('../../src/errors.js');
  const config = resolveConfig({ packetBudgetBytes: 512, maxTagsBytes: 312, userEventMaxBytes: 1000 });
  const d = new Driver(
    { name: 'a', config },
    {
      transport: { address: '127.0.0.1:7946', send: () => {}, onPacket: () => {}, close: async () => {} },
      scheduler: { now: () => 0, wakeAt: () => {}, cancel: () => {} },
      random: new SeededRandom(1),
      codec,
    },
  );
  assert.throws(
    () => d.event('big', new Uint8Array(600)),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_PAYLOAD_TOO_LARGE' && /fits in a packet/.test((e as Error).message),
  );
  d.event('small', new Uint8Array(300));
  assert.equal(d.core.counters().userEvents, 1, 'the small one is sent (and delivered to ourselves)');
});
