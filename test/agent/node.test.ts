/**
 * One wiring (issue 17): the production agent and the simulator build their nodes with the one
 * composition root, agent/node.ts; neither assembles the parts by hand, so what runs under the
 * seeded simulator is what runs in production.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const HAND_WIRING = /new Driver\(|new WireRouter\(|createMemberGuard\(|new Observer\(|createSecureCodec\(|new KeyService\(/;

test('the agent and the Simulation build their nodes with createNode, not by hand', () => {
  for (const file of ['src/agent/agent.ts', 'src/sim/simulation.ts']) {
    const src = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    assert.match(src, /createNode\(/, `${file} calls the composition root`);
    assert.doesNotMatch(src, HAND_WIRING, `${file} wires a part by hand`);
  }
});

test('member guard with an exact count: a packet that fits passes whole, one that does not is cut at the cap, across packets too', async () => {
  const { createMemberGuard } = await import('../../src/agent/member-guard.js');
  const { createCodec } = await import('../../src/wire/codec.js');
  const M = await import('../../src/core/messages.js');
  const plain = createCodec();
  const table = new Set(['self']);
  const drops: Record<string, number> = {};
  const guard = createMemberGuard(
    plain,
    { maxMembers: 4, maxNameBytes: 128, maxTagsBytes: 512, exactCount: true },
    { has: (n) => table.has(n), count: () => table.size, now: () => 0, onDrop: (reason, n) => void (drops[reason] = (drops[reason] ?? 0) + n) },
  );
  /** Decode as the Driver does, then apply what got through (the core's part). */
  const receive = (names: string[]): string[] => {
    const r = guard.decode(plain.encode(names.map((n) => M.alive(n, '127.0.0.9:7946', 1, []))));
    const got = r.ok ? r.value.map((m) => (m as { name: string }).name) : [];
    for (const n of got) table.add(n);
    return got;
  };
  assert.deepEqual(receive(['a', 'b']), ['a', 'b'], 'fits beside the table: whole');
  assert.deepEqual(receive(['c', 'd', 'e']), ['c'], 'cut at the cap of 4');
  assert.deepEqual(receive(['a', 'f']), ['a'], 'a known member still updates; a new one does not fit');
  assert.equal(table.size, 4);
  assert.equal(drops['member-cap'], 3);
});
