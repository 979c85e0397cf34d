/**
 * Two embedded Clusters on loopback, one with its agent on this event loop and one in a worker
 * thread, each serving the admin API: `phantom members` and Prometheus work against them as
 * against `phantom agent`, and the facade's operations mean what the CLI's do.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/agent/log.js';
import { Cluster } from '../../src/cluster.js';
import { ROOT } from '../../harness/procs.js';
import { FAST } from '../agent/helpers.js';

const TOKEN = 'embedded-token-0123456789';
const agent = (name: string) => ({ name, bind: '127.0.0.1:0', profile: 'local', protocol: FAST, logLevel: 'info' });
let loop: Cluster;
let worker: Cluster;
const workerLog: Record<string, unknown>[] = [];

/** Run `phantom ...` without blocking this thread (the in-loop admin API answers from it). */
function phantom(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, PHANTOM_ADMIN_TOKEN: TOKEN } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

function when(c: Cluster, pred: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (e?: Error): void => {
      clearTimeout(timer);
      offs.forEach((o) => o());
      if (e) reject(e);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`${what}: not within ${ms} ms`)), ms);
    const check = (): void => void (pred() && done());
    for (const t of ['join', 'update', 'alive', 'suspect', 'failed', 'left'] as const) offs.push(c.on(t, check));
    check();
  });
}

/** Not the defaults, and one replica: the worker's admin API must place keys as the Cluster does. */
const SHARDS = { shards: 256, replicas: 1 };

before(async () => {
  const logger = createLogger({ level: 'info', pretty: false, write: (l) => void workerLog.push(JSON.parse(l) as Record<string, unknown>) });
  // The test thread's own stalls (spawning, compiling) raise the in-loop agent's awareness: the
  // health checks here are about membership, so any awareness score passes.
  const health = { maxAwareness: 7 };
  loop = await Cluster.start({
    isolate: 'none',
    agent: { ...agent('loop'), logLevel: 'warn' },
    admin: '127.0.0.1:0',
    adminToken: TOKEN,
    health,
    shards: SHARDS,
  });
  // No isolate given: the worker is the default.
  worker = await Cluster.start({
    agent: agent('worker'),
    admin: '127.0.0.1:0',
    adminToken: TOKEN,
    join: [loop.self()!.address],
    runtime: { logger },
    health,
    shards: SHARDS,
  });
  await when(loop, () => loop.members().some((m) => m.name === 'worker' && m.state === 'alive'), 5000, 'loop sees worker');
});
after(async () => {
  await Promise.all([loop.shutdown(), worker.shutdown()]);
});

test('phantom members and /metrics work against both, as against phantom agent', { timeout: 30_000 }, async () => {
  for (const c of [loop, worker]) {
    const r = await phantom(['members', '--json', '--admin', c.adminAddress!]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { name: string; status: string }[]).map((m) => `${m.name}:${m.status}`),
      ['loop:alive', 'worker:alive'],
    );
    const unauthorized = await fetch(`http://${c.adminAddress}/v1/members`);
    assert.equal(unauthorized.status, 401, 'the token is required');
    const metrics = await (await fetch(`http://${c.adminAddress}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.match(metrics, /^phantom_members\{state="alive"\} 2$/m);
    assert.match(metrics, /^process_resident_memory_bytes \d+/m);
    assert.equal(/^phantom_main_thread_busy 0$/m.test(metrics), c === worker, 'main-thread series only with a worker');
    const firsts = new Set<string>();
    for (let k = 0; k < 50; k++) {
      for (const n of [1, 2]) {
        const ring = (await (
          await fetch(`http://${c.adminAddress}/v1/lookup?key=user:${k}&n=${n}`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).json()) as { owners: string[] };
        assert.deepEqual(ring.owners, c.lookup(`user:${k}`, n), `the admin API and the facade agree on the owners of user:${k}`);
        firsts.add(ring.owners[0]!);
      }
    }
    assert.equal(firsts.size, 2, 'keys are spread over both members');
  }
});

test('setTags, stats, health, members and lookup mean the same with and without a worker', { timeout: 10_000 }, async () => {
  worker.setTags({ role: 'db' });
  await when(loop, () => loop.members().find((m) => m.name === 'worker')?.tags.role === 'db', 5000, 'the tag spread');
  await when(worker, () => worker.self()?.tags.role === 'db', 5000, 'the worker mirror has it');
  assert.throws(() => worker.setTags({ big: 'x'.repeat(1000) }), { code: 'ERR_TAGS_TOO_LARGE' });
  assert.throws(() => loop.setTags({ big: 'x'.repeat(1000) }), { code: 'ERR_TAGS_TOO_LARGE' });
  const [ls, ws] = await Promise.all([loop.stats(), worker.stats()]);
  assert.equal(ls.isolate, 'none');
  assert.equal(ws.isolate, 'worker');
  assert.equal(ws.mainThread?.busy, false);
  assert.equal(ls.checksum, ws.checksum, 'both agree on membership');
  assert.deepEqual(loop.health(), { ok: true });
  assert.deepEqual(worker.health(), { ok: true });
  assert.deepEqual(worker.lookup('k', 2), loop.lookup('k', 2));
  assert.ok(
    worker.members().every((m) => m.stateChangedAt <= performance.now() + 1),
    'member times are on our clock',
  );
});

test('network coordinates reach the host thread too: estimated RTT and lookup near, with and without a worker', { timeout: 15_000 }, async () => {
  // The worker reports coordinates every 2 s (they move without member events); the view refreshes each second.
  // Polled: coordinates change without member events, so `when` (woken by events) would not see them.
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const end = performance.now() + 10_000;
    while (!pred()) {
      if (performance.now() > end) assert.fail(`${what}: not within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await until(() => worker.estimateRttMs('loop') !== undefined, 'a coordinate for loop on the worker host');
  await until(() => loop.estimateRttMs('worker') !== undefined, 'a coordinate for worker');
  for (const c of [worker, loop]) {
    assert.ok(c.coordinate()!.vec.length === 8);
    assert.ok(c.estimateRttMs(c.name)! >= 0);
    // Each is nearest to itself: lookup near puts it first among the owners of any key.
    assert.equal(c.lookup('k', 2, { near: true })[0], c.name);
    assert.deepEqual([...c.lookup('k', 2, { near: true })].sort(), [...c.lookup('k', 2)].sort());
  }
});

test('with a worker, a listener that throws is logged on the main thread with its event; the worker logs reach the host logger', {
  timeout: 10_000,
}, async () => {
  const off = worker.on('update', () => {
    throw new Error('listener bug');
  });
  loop.setTags({ zone: 'z1' });
  await when(worker, () => workerLog.some((l) => l.msg === 'a cluster event listener threw'), 5000, 'the exception logged');
  off();
  const line = workerLog.find((l) => l.msg === 'a cluster event listener threw')!;
  assert.equal(line.event, 'update');
  assert.equal(line.member, 'loop');
  assert.ok(
    workerLog.some((l) => l.msg === 'agent started' && l.agent === 'worker' && typeof l.workerTime === 'number'),
    "the worker's own lines, relayed",
  );
});

test('leave from a worker: the other member sees left, never failed', { timeout: 10_000 }, async () => {
  const failed: string[] = [];
  loop.on('failed', (e) => failed.push(e.member.name));
  await worker.leave();
  await when(loop, () => loop.members().find((m) => m.name === 'worker')?.state === 'left', 5000, 'left seen');
  assert.deepEqual(failed, []);
  assert.equal(worker.health().ok, false);
});

test('Cluster.start checks every option before anything starts, naming each bad one', async () => {
  await assert.rejects(
    Cluster.start({
      isolate: 'thread' as 'worker',
      busyAfterMs: 5,
      admin: 'nope:xx',
      adminToken: 'short',
      health: { minAliveShare: 2 },
      balancer: { healthTag: '' },
      agent: { bind: 'x:y:z' },
    }),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_CONFIG');
      for (const field of ['isolate', 'busyAfterMs', 'admin', 'adminToken', 'minAliveShare', 'healthTag', 'bind'])
        assert.match(e.message, new RegExp(field), `names ${field}`);
      return true;
    },
  );
});
