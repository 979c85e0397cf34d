/**
 * The operator commands through the CLI, as separate processes on loopback: `phantom monitor`
 * follows an agent and ends cleanly on SIGINT (Ctrl-C); `members --tag/--name/--detailed`;
 * `force-leave` of a crashed agent; an `--handler` script run on member events; tags set at run
 * time kept across a restart with --data-dir. Waits are on log lines and outputs, bounded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { agentArgs, allSee, phantom, PHANTOM_BIN, ROOT, RUNTIME_DIR, startAgent, stop, waitUntil, type AgentProc } from '../../harness/procs.js';

const procs: AgentProc[] = [];
const dir = mkdtempSync(join(tmpdir(), 'phantom-ops-'));
after(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  rmSync(dir, { recursive: true, force: true });
});

/** The handler writes a file no log line announces: check it every 50 ms, for at most `ms`. */
async function pollUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('monitor, members filters, force-leave, handlers and saved tags through the CLI', { timeout: 90_000 }, async () => {
  const events = join(dir, 'events.txt');
  const seed = await startAgent(
    'web-0',
    agentArgs(['--tag', 'role=web', '--handler', `member-join,member-failed,member-leave=printf "%s " "$PHANTOM_EVENT" >> ${events}; cat >> ${events}`]),
  );
  procs.push(seed);
  const dataDir = join(dir, 'db-1');
  const db1 = await startAgent('db-1', agentArgs(['--join', seed.address, '--tag', 'role=db', '--data-dir', dataDir]));
  const db2 = await startAgent('db-2', agentArgs(['--join', seed.address, '--tag', 'role=db']));
  procs.push(db1, db2);
  await allSee(procs, ['web-0', 'db-1', 'db-2'], 'alive', 15_000);

  // phantom monitor: member events as they happen, then SIGINT ends it with exit 0.
  const mon = spawn(process.execPath, [PHANTOM_BIN, 'monitor', '--json', '--admin', seed.admin], {
    cwd: ROOT,
    env: { ...process.env, PHANTOM_RUNTIME_DIR: RUNTIME_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const monExit = new Promise<number | null>((r) => mon.once('exit', (code) => r(code)));
  const items: { kind: string; data: { type?: string; member?: { name: string; status: string }; msg?: string } }[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: mon.stdout! }).on('line', (l) => {
    items.push(JSON.parse(l) as (typeof items)[number]);
    for (const w of [...waiters]) w();
  });
  let monErr = '';
  mon.stderr!.on('data', (d: Buffer) => {
    monErr += d.toString();
    for (const w of [...waiters]) w();
  });
  try {
    await waitUntil(
      waiters,
      () => monErr.includes('following the agent'),
      10_000,
      () => `the monitor did not start: ${monErr}`,
    );
    assert.equal(phantom(['tags', 'set', 'role=db', 'shard=17', '--admin', db1.admin]).code, 0);
    await waitUntil(
      waiters,
      () => items.some((i) => i.kind === 'member' && i.data.type === 'update' && i.data.member?.name === 'db-1'),
      10_000,
      () => `no update of db-1 on the monitor: ${JSON.stringify(items)}`,
    );
  } finally {
    mon.kill('SIGINT');
  }
  assert.equal(await monExit, 0, 'Ctrl-C ends the monitor cleanly');

  // members: serf's filters.
  const names = (args: string[]): string[] =>
    (JSON.parse(phantom(['members', '--json', '--admin', seed.admin, ...args]).stdout) as { name: string }[]).map((m) => m.name);
  assert.deepEqual(names(['--tag', 'role=db']), ['db-1', 'db-2']);
  assert.deepEqual(names(['--tag', 'role=db', '--tag', 'shard=1[0-9]']), ['db-1']);
  assert.deepEqual(names(['--name', 'web-.*']), ['web-0']);
  const detailed = phantom(['members', '--detailed', '--name', 'db-1', '--admin', seed.admin]);
  assert.equal(detailed.code, 0, detailed.stderr);
  assert.match(detailed.stdout, /^name\s+db-1$/m);
  assert.match(detailed.stdout, /^tag shard\s+17$/m);
  const bad = phantom(['members', '--name', '(', '--admin', seed.admin]);
  assert.equal(bad.code, 2, 'a bad pattern is a usage error');
  assert.match(bad.stderr, /not a regular expression/);

  // force-leave: refused for a live member, done for a crashed one, everywhere.
  const live = phantom(['force-leave', 'db-1', '--admin', seed.admin]);
  assert.equal(live.code, 1);
  assert.match(live.stderr, /db-1 is alive, not failed/);
  await stop(db2, 'SIGKILL');
  await allSee([seed, db1], ['db-2'], 'failed', 10_000);
  const fl = phantom(['force-leave', 'db-2', '--admin', seed.admin]);
  assert.equal(fl.code, 0, fl.stderr);
  assert.match(fl.stdout, /db-2 is left/);
  await allSee([seed, db1], ['db-2'], 'left', 10_000);

  // The handler saw the joins, the failure and the leave, with the member on stdin.
  await pollUntil(() => existsSync(events) && /member-leave db-2\t/.test(readFileSync(events, 'utf8')), 10_000, 'the handler ran for member-leave');
  const ran = readFileSync(events, 'utf8');
  assert.match(ran, /member-join /);
  assert.match(ran, /^(member-join )?db-1\t127\.0\.0\.1:\d+\talive\trole=db$/m, 'one line per member (joins close together share a run)');
  assert.match(ran, /member-failed db-2\t/);
  const info = JSON.parse(phantom(['info', '--json', '--admin', seed.admin]).stdout) as { handlers: { runs: number; failures: number } };
  assert.ok(info.handlers.runs >= 3 && info.handlers.failures === 0, JSON.stringify(info.handlers));

  // Tags set at run time survive a restart with --data-dir.
  assert.equal(await stop(db1, 'SIGTERM'), 0);
  const again = await startAgent('db-1', agentArgs(['--join', seed.address, '--tag', 'role=db', '--data-dir', dataDir]));
  procs.push(again);
  await seed.until(() => seed.view.get('db-1') === 'alive', 10_000, 'db-1 back');
  const self = JSON.parse(phantom(['members', 'db-1', '--json', '--admin', again.admin]).stdout) as { tags: Record<string, string> };
  assert.deepEqual(self.tags, { role: 'db', shard: '17' });
});
