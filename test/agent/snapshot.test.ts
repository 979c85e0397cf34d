/**
 * The --data-dir snapshot: every known member (not only alive ones) and our incarnation; a
 * cluster whose agents all restart finds itself again through it with no seed given; writes are
 * atomic and rate-bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { readSnapshot, rejoinAddresses, Snapshotter, writeSnapshot, type Snapshot } from '../../src/agent/snapshot.js';
import { ClusterError } from '../../src/errors.js';
import { testConfig, waitForState } from './helpers.js';

const dirs: string[] = [];
const agents: Agent[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'phantom-snap-'));
  dirs.push(d);
  return d;
};
after(async () => {
  await Promise.all(agents.map((a) => a.shutdown()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a whole cluster restarted with no seed finds itself through its snapshots', { timeout: 30_000 }, async () => {
  const names = ['s0', 's1', 's2'];
  const data = names.map(() => tmp());
  const first = await Promise.all(names.map((n, i) => createAgent(testConfig(n, { dataDir: data[i] }), { snapshotIntervalMs: 50 })));
  agents.push(...first);
  await first[1]!.join([first[0]!.address]);
  await first[2]!.join([first[0]!.address]);
  for (const o of first) for (const n of names) await waitForState(o, n, 'alive', 5000);
  const ports = first.map((a) => a.address.split(':').pop()!);
  // The outage: every agent dies at once (no leave).
  await Promise.all(first.map((a) => a.shutdown()));
  const saved = data.map((d) => readSnapshot(d)!);
  for (const s of saved) assert.deepEqual(s.members.map((m) => m.name).sort(), names);

  const second = await Promise.all(names.map((n, i) => createAgent(testConfig(n, { dataDir: data[i], bind: `127.0.0.1:${ports[i]}` }))));
  agents.push(...second);
  second.forEach((a, i) => assert.ok(a.self().incarnation > saved[i]!.incarnation, 'starts above the saved incarnation'));
  // No seeds at all: only the remembered members.
  await Promise.all(second.map((a) => a.join([])));
  for (const o of second) for (const n of names) await waitForState(o, n, 'alive', 5000);
});

test('rejoin addresses: everyone but us, alive first, failed and left too, capped', () => {
  const snap: Snapshot = {
    version: 1,
    name: 'me',
    incarnation: 3,
    savedAt: '',
    members: [
      { name: 'me', address: 'h:0', state: 'alive', incarnation: 3, tags: {} },
      { name: 'l', address: 'h:4', state: 'left', incarnation: 1, tags: {} },
      { name: 'd', address: 'h:3', state: 'dead', incarnation: 1, tags: {} },
      { name: 'a', address: 'h:1', state: 'alive', incarnation: 1, tags: {} },
    ],
  };
  assert.deepEqual(rejoinAddresses(snap, 'me'), ['h:1', 'h:3', 'h:4']);
  assert.deepEqual(rejoinAddresses(snap, 'me', 2), ['h:1', 'h:3']);
});

test('writes are atomic (no temp file left) and a corrupt file is an error naming the path', () => {
  const d = tmp();
  writeSnapshot(d, { version: 1, name: 'x', incarnation: 1, savedAt: '', members: [] });
  assert.deepEqual(readdirSync(d), ['snapshot.json']);
  writeFileSync(join(d, 'snapshot.json'), '{"version":1,');
  assert.throws(
    () => readSnapshot(d),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_SNAPSHOT' && /snapshot\.json: not valid JSON .*move it away/.test(e.message),
  );
  assert.equal(readSnapshot(tmp()), undefined);
});

test('a burst of changes makes one write per interval', { timeout: 5000 }, async () => {
  const d = tmp();
  const s = new Snapshotter(d, 'x', { members: () => [], incarnation: () => 7, onError: (e) => assert.fail(e) }, 100);
  for (let i = 0; i < 1000; i++) s.changed();
  assert.equal(s.writes, 0, 'never on the caller path');
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (s.writes > 0) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
  for (let i = 0; i < 1000; i++) s.changed();
  assert.equal(s.writes, 1);
  s.stop();
  assert.equal(readSnapshot(d)!.incarnation, 7);
});

test('a data dir of another agent is refused with what to do', { timeout: 5000 }, async () => {
  const d = tmp();
  writeSnapshot(d, { version: 1, name: 'someone', incarnation: 1, savedAt: '', members: [] });
  await assert.rejects(createAgent(testConfig('me', { dataDir: d })), /holds the snapshot of agent "someone".*--name someone or another --data-dir/);
});
