/**
 * The loopback acceptance test, through the CLI with separate processes: 5 agents join
 * one seed; every `phantom members --json` lists 5 alive; SIGKILL one -> failed on all; SIGTERM
 * one -> left on all (never failed); restart it with the same name -> alive again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentArgs, allSee, phantom, startAgent, stop, type AgentProc } from '../../harness/procs.js';

const procs: AgentProc[] = [];
const dir = mkdtempSync(join(tmpdir(), 'phantom-cli-'));
const configFile = join(dir, 'a1.json');
after(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  rmSync(dir, { recursive: true, force: true });
});

test('5 agents through the CLI: join, crash, leave, restart', { timeout: 90_000 }, async () => {
  const seed = await startAgent('a0', agentArgs());
  procs.push(seed);
  writeFileSync(configFile, JSON.stringify({ tags: { v: '1' } }));
  procs.push(
    ...(await Promise.all(
      [1, 2, 3, 4].map((i) => startAgent(`a${i}`, [...agentArgs(['--join', seed.address]), ...(i === 1 ? ['--config', configFile] : [])])),
    )),
  );
  const names = procs.map((p) => p.name);
  await allSee(procs, names, 'alive', 15_000);

  for (const p of procs) {
    const r = phantom(['members', '--json', '--admin', p.admin]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; addr: string; status: string; incarnation: number; tags: object }[];
    assert.deepEqual(rows.map((m) => m.name).sort(), names);
    assert.ok(rows.every((m) => m.status === 'alive' && typeof m.addr === 'string' && typeof m.incarnation === 'number' && typeof m.tags === 'object'));
  }

  // Network coordinates: the seed probes a1 every few hundred ms, each ack carrying a1's coordinate.
  let rtt = phantom(['rtt', 'a1', '--json', '--admin', seed.admin]);
  for (let tries = 0; rtt.code !== 0 && tries < 20; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    rtt = phantom(['rtt', 'a1', '--json', '--admin', seed.admin]);
  }
  assert.equal(rtt.code, 0, rtt.stderr);
  const est = JSON.parse(rtt.stdout) as { a: string; b: string; rttMs: number };
  assert.deepEqual([est.a, est.b], ['a1', 'a0']);
  assert.ok(Number.isFinite(est.rttMs) && est.rttMs >= 0, rtt.stdout);
  const unknown = phantom(['rtt', 'nobody', '--admin', seed.admin]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no coordinate for "nobody"/);
  const near = phantom(['lookup', 'user:42', '--n', '5', '--near', '--json', '--admin', seed.admin]);
  assert.equal(near.code, 0, near.stderr);
  // The asking agent is at distance 0 from itself: first.
  assert.equal((JSON.parse(near.stdout) as { owners: string[] }).owners[0], 'a0');

  // SIGHUP re-reads the config file: a1's new tag reaches a0 by gossip.
  writeFileSync(configFile, JSON.stringify({ tags: { v: '2' }, logLevel: 'debug' }));
  procs[1]!.child.kill('SIGHUP');
  await seed.until(
    () => seed.lines.some((l) => l.member === 'a1' && l.event === 'update' && (l.tags as { v?: string } | undefined)?.v === '2'),
    5000,
    'a1 tag v=2',
  );

  // SIGKILL a4: every other agent marks it failed. Local profile bound, sped up: ~1-2 s.
  const killedAt = Date.now();
  await stop(procs[4]!, 'SIGKILL');
  const live = procs.slice(0, 4);
  await allSee(live, ['a4'], 'failed', 10_000);
  const detectionMs = Date.now() - killedAt;

  // SIGTERM a3: graceful leave, exit 0; the others see left and never failed.
  const code = await stop(procs[3]!, 'SIGTERM');
  assert.equal(code, 0);
  const rest = procs.slice(0, 3);
  await allSee(rest, ['a3'], 'left', 5000);
  for (const o of rest) assert.ok(!o.lines.some((l) => l.member === 'a3' && l.status === 'failed'), `${o.name} reported a3 failed`);

  // Restart a4 under the same name: alive again everywhere.
  const back = await startAgent('a4', agentArgs(['--join', seed.address]));
  procs[4] = back;
  await allSee([...rest, back], ['a0', 'a1', 'a2', 'a4'], 'alive', 10_000);
  process.stdout.write(`# detection after SIGKILL: ${detectionMs} ms\n`);
});

test('CLI exit codes: 1 when the agent is unreachable (saying how to point at one), 2 on usage errors', { timeout: 30_000 }, () => {
  const r = phantom(['members', '--admin', '127.0.0.1:9']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--admin host:port or PHANTOM_ADMIN/);
  const u = phantom(['members', '--status', 'sleepy']);
  assert.equal(u.code, 2);
  const bad = phantom(['agent', '--bind', 'nope:xx', '--admin', 'off']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bind "nope:xx"/);
});
