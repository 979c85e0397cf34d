/**
 * The member guard at the table's cap: a push from a sender it cannot take in is refused whole,
 * whatever its flags (a join, or a joiner's re-dial of its seed), so that no answer makes the
 * sender believe it joined; a push from a member already held goes through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemberGuard } from '../../src/agent/member-guard.js';
import { createCodec } from '../../src/wire/codec.js';
import * as M from '../../src/core/messages.js';

const codec = createCodec();
const held = new Set(['a', 'b', 'c', 'd']);
const drops: string[] = [];
const guard = createMemberGuard(
  codec,
  { maxMembers: 4, maxNameBytes: 128, maxTagsBytes: 512 },
  { has: (n) => held.has(n), count: () => held.size, now: () => 0, onDrop: (r) => void drops.push(r) },
);
const row = (name: string) => M.entry(name, `127.0.0.9:${1000 + name.charCodeAt(0)}`, M.MemberCode.alive, 0, []);

test('at the cap, a push from a stranger is refused whole, join or not', () => {
  for (const flags of [M.PushPullFlag.join, 0, M.PushPullFlag.reply]) {
    const r = guard.decode(codec.encode([M.pushPull('z', flags, 0, 1, [row('z'), row('a')]), M.eventClock(3)]));
    assert.equal(r.ok, false, `flags ${flags}`);
    assert.equal(!r.ok && r.reason, 'member-cap');
  }
});

test("at the cap, a member's push goes through without the rows of strangers", () => {
  const r = guard.decode(codec.encode([M.pushPull('a', 0, 0, 1, [row('a'), row('z')])]));
  assert.ok(r.ok);
  const pp = r.ok ? (r.value[0] as M.PushPull) : undefined;
  assert.deepEqual(
    pp?.entries.map((e) => e.name),
    ['a'],
  );
  assert.ok(drops.includes('member-cap'));
});
