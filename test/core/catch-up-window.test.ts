import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AntiEntropy, type AntiEntropyHost, type AntiEntropyWant } from '../../src/core/anti-entropy.js';
import { MembershipTable } from '../../src/core/membership.js';
import { createInterner } from '../../src/core/intern.js';
import { ReturnCheck, weakCookieHash } from '../../src/core/return-check.js';
import { recentFlags, recentRows } from '../../src/core/push-pull.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';
import { lan } from '../../src/config.js';
import * as M from '../../src/core/messages.js';

// Issue 16: a catch-up while the cluster grows asks only for the peer's newest rows, not its
// whole table; far behind, or when a window left us short, it sends a filter of the names it
// holds and the peer answers with the rows it lacks.

const PEER = '10.9.9.9:7946';
const codec = createCodec();

/** An anti-entropy with a table of `rows` live members (n0 is us), and what it wants sent. */
function setup(rows: number) {
  const table = new MembershipTable(createInterner());
  for (let i = 0; i < rows; i++) table.apply({ name: `n${i}`, state: 'alive', incarnation: 0, address: `10.0.${i >> 8}.${i & 255}:7946` }, 0);
  table.apply({ name: 'peer', state: 'alive', incarnation: 0, address: PEER }, 0);
  const sent: { to: string; messages: readonly M.Message[] }[] = [];
  const random = new SeededRandom(1);
  const host: AntiEntropyHost = {
    name: 'n0',
    config: lan,
    table,
    random,
    returnCheck: new ReturnCheck(weakCookieHash(random)),
    running: () => true,
    stopped: () => false,
    seeds: () => [],
    randomAlivePeer: () => PEER,
    sizeOf: codec.sizeOf,
    stateCompanion: () => undefined,
  };
  /** Carry out what it wants, as the coordinator does: merges before the next want is decided. */
  const run = (wants: Iterable<AntiEntropyWant>): void => {
    for (const w of wants) {
      if (w.type === 'packet') sent.push({ to: w.to, messages: w.messages });
      else if (w.type === 'merge')
        for (const e of w.rows) table.apply({ name: e.name, state: M.memberStateOf[e.state]!, incarnation: e.inc, address: e.addr, wireTags: e.tags }, 0);
    }
  };
  return { ae: new AntiEntropy(host), table, sent, run };
}

const pushes = (sent: { messages: readonly M.Message[] }[]): M.PushPull[] =>
  sent.flatMap((s) => s.messages.filter((m): m is M.PushPull => m.type === M.MsgType.PushPull));

const haves = (sent: { messages: readonly M.Message[] }[]): M.Have[] => sent.flatMap((s) => s.messages.filter((m): m is M.Have => m.type === M.MsgType.Have));

test("a catch-up a few members behind a large table asks for the peer's newest rows only; far behind, for what it lacks", () => {
  const { ae, table, sent, run } = setup(1000);
  const mine = table.liveCount;
  run(ae.maybeCatchUp(mine + 5, PEER, 10_000, true));
  const [ask] = pushes(sent);
  assert.ok(ask, 'a catch-up went out');
  assert.equal(ask.entries.length, 1, 'our own row only');
  assert.equal(recentRows(ask.flags), 4 * 5 + 64);
  // Far behind (the window would be most of our table): our row, and the filter of our names.
  const far = setup(1000);
  far.run(far.ae.maybeCatchUp(far.table.liveCount + 300, PEER, 10_000, true));
  assert.equal(pushes(far.sent)[0]!.flags, M.PushPullFlag.have);
  assert.equal(pushes(far.sent).length, 1, 'our own row once');
  // Alone in the first datagram: a peer from before the filter answers it with its whole table,
  // and drops the datagrams that carry the filter's record shape, which it does not know.
  assert.deepEqual(
    far.sent[0]!.messages.map((m) => m.type),
    [M.MsgType.PushPull],
  );
  assert.ok(far.sent.slice(1).every((p) => p.messages.length === 1 && p.messages[0]!.type === M.MsgType.Have));
  const parts = haves(far.sent);
  assert.ok(parts.length >= 2, `1001 names at 14 bits each take ${parts.length} datagrams`);
  assert.deepEqual(
    parts.map((h) => h.part),
    parts.map((_, i) => i),
  );
  for (const p of far.sent) assert.ok(codec.encode(p.messages).length <= lan.packetBudgetBytes, 'each datagram within the budget');
  // A small table: a window would save little, so the filter too.
  const small = setup(100);
  small.run(small.ae.maybeCatchUp(small.table.liveCount + 2, PEER, 10_000, true));
  assert.equal(pushes(small.sent)[0]!.flags, M.PushPullFlag.have);
});

test('each part of a filter is answered with exactly the rows the asker lacks in its share; the last part even when none', () => {
  // The asker holds n0..n899 (and the peer); the answering side all 1000.
  const asker = setup(900);
  asker.run(asker.ae.maybeCatchUp(asker.table.liveCount + 100, PEER, 10_000, true));
  const parts = haves(asker.sent);
  const peer = setup(1000);
  let answered: string[] = [];
  for (const h of parts) {
    peer.sent.length = 0;
    peer.run(peer.ae.onHave(h, '10.1.1.1:7946', 10_010, 'member', []));
    const reply = pushes(peer.sent);
    for (const p of reply) assert.equal(p.flags, M.PushPullFlag.reply | M.PushPullFlag.have | (h.part * 256));
    if (h.part === h.parts - 1) assert.ok(reply.length >= 1, 'the last part is always answered');
    answered = answered.concat(reply.flatMap((p) => p.entries.map((e) => e.name)));
  }
  const missing = Array.from({ length: 100 }, (_, i) => `n${900 + i}`);
  const got = new Set(answered);
  const brought = missing.filter((n) => got.has(n));
  assert.ok(brought.length >= 97, `the filter's false positives keep at most a few back (${100 - brought.length} of 100)`);
  assert.deepEqual(
    answered.filter((n) => !missing.includes(n)),
    [],
    'nothing the asker holds',
  );
  // An unproven address gets a cookie, never rows.
  peer.sent.length = 0;
  peer.run(peer.ae.onHave(parts[0]!, '10.66.0.1:7946', 10_020, 'none', [parts[0]!]));
  assert.deepEqual(pushes(peer.sent), []);
});

test('answers that leave the asker short are followed by one more filter at once, with a fresh salt', () => {
  const { ae, table, sent, run } = setup(1000);
  const mine = table.liveCount;
  run(ae.maybeCatchUp(mine + 300, PEER, 10_000, true));
  const first = haves(sent);
  sent.length = 0;
  // The answer to the last part arrives and brings one of the 300: still short.
  const last = first.at(-1)!;
  run(
    ae.onPushPull(
      M.pushPull('peer', M.PushPullFlag.reply | M.PushPullFlag.have | (last.part * 256), 0, 1, [M.entry('x1', '10.5.0.1:7946', 0, 0, [])]),
      PEER,
      10_050,
      'member',
      [],
    ),
  );
  const again = haves(sent);
  assert.ok(again.length > 0, 'a second filter at once');
  assert.notEqual(again[0]!.salt, first[0]!.salt);
  sent.length = 0;
  // The follow-up's answers leave us short too: no third one until the next catch-up.
  const lastAgain = again.at(-1)!;
  run(ae.onPushPull(M.pushPull('peer', M.PushPullFlag.reply | M.PushPullFlag.have | (lastAgain.part * 256), 0, 1, []), PEER, 10_060, 'member', []));
  assert.deepEqual(haves(sent), []);
});

test('a windowed push is answered with the newest rows in table order, flagged as a window', () => {
  const { ae, sent, run } = setup(1000);
  run(ae.onPushPull(M.pushPull('peer', recentFlags(50), 0, 1, [M.entry('peer', PEER, 0, 0, [])]), PEER, 10_000, 'member', []));
  const reply = pushes(sent);
  assert.ok(reply.length > 0);
  for (const p of reply) assert.equal(p.flags, M.PushPullFlag.reply | M.PushPullFlag.recent);
  // The newest 50: n951..n999 and the peer, in the order they were learned.
  const names = reply.flatMap((p) => p.entries.map((e) => e.name));
  assert.deepEqual(names, [...Array.from({ length: 49 }, (_, i) => `n${951 + i}`), 'peer']);
  // Without the flag (an older peer, or a full pull): the whole table.
  const full = setup(1000);
  full.run(full.ae.onPushPull(M.pushPull('peer', 0, 0, 1, [M.entry('peer', PEER, 0, 0, [])]), PEER, 10_000, 'member', []));
  assert.equal(
    pushes(full.sent).reduce((k, p) => k + p.entries.length, 0),
    1001,
  );
});

test('a window that leaves us short of the count the peer had is followed by a filter at once', () => {
  const { ae, table, sent, run } = setup(1000);
  const mine = table.liveCount;
  run(ae.maybeCatchUp(mine + 5, PEER, 10_000, true));
  sent.length = 0;
  // The window brings 2 of the 5 members we lack.
  const rows = [M.entry('x1', '10.5.0.1:7946', 0, 0, []), M.entry('x2', '10.5.0.2:7946', 0, 0, [])];
  run(ae.onPushPull(M.pushPull('peer', M.PushPullFlag.reply | M.PushPullFlag.recent, 0, 1, rows), PEER, 10_050, 'member', []));
  assert.equal(table.liveCount, mine + 2);
  const [again] = pushes(sent);
  assert.ok(again, 'a second pull at once, not a catch-up interval later');
  assert.equal(again.flags, M.PushPullFlag.have, 'with the filter of the names we hold');
  assert.ok(haves(sent).length > 0);
  // A window that closed the gap asks for nothing more.
  const ok = setup(1000);
  ok.run(ok.ae.maybeCatchUp(ok.table.liveCount + 1, PEER, 10_000, true));
  ok.sent.length = 0;
  ok.run(
    ok.ae.onPushPull(
      M.pushPull('peer', M.PushPullFlag.reply | M.PushPullFlag.recent, 0, 1, [M.entry('x1', '10.5.0.1:7946', 0, 0, [])]),
      PEER,
      10_050,
      'member',
      [],
    ),
  );
  assert.equal(pushes(ok.sent).length, 0);
});
