/**
 * Operator commands against real agents on loopback: force-leave, member filters, the event
 * stream (GET /v1/events: log and member events, its guard, its bounds), and run-time tags that
 * survive a restart with a data dir. Every wait is on a condition, bounded.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { adminStream, type StreamFrame } from '../../src/admin/client.js';
import { EventStreams } from '../../src/admin/event-stream.js';
import { MonitorHub } from '../../src/agent/monitor.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { eventually, testConfig, waitForState } from '../agent/helpers.js';

const TOKEN = 'operator-test-token-0123456789';
const JSON_TYPE = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
let a: Agent;
let b: Agent;
let c: Agent;
let server: AdminServer;
const aOutput: string[] = [];
const url = (p: string): string => `http://${server.address}${p}`;
const call = async (p: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
  const r = await fetch(url(p), { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) } });
  return { status: r.status, body: await r.json() };
};

before(async () => {
  a = await createAgent(testConfig('a', { tags: { role: 'db', zone: 'eu-1' }, logLevel: 'info' }), { logWrite: (line) => void aOutput.push(line) });
  b = await createAgent(testConfig('b', { tags: { role: 'web', zone: 'eu-2' } }));
  c = await createAgent(testConfig('db-2', { tags: { role: 'db', zone: 'us-1' } }));
  await b.join([a.address]);
  await c.join([a.address]);
  for (const n of ['b', 'db-2']) await waitForState(a, n, 'alive', 5000);
  await waitForState(b, 'db-2', 'alive', 5000);
  server = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => undefined),
    { token: TOKEN, streams: { maxStreams: 2 } },
  );
});
after(async () => {
  await server.close();
  await Promise.all([a.shutdown(), b.shutdown(), c.shutdown()]);
});

test('GET /v1/members filters by name and tag regular expressions (whole match), and refuses bad ones', { timeout: 5000 }, async () => {
  const names = async (q: string): Promise<string[]> => (await call(`/v1/members${q}`)).body.map((m: { name: string }) => m.name);
  assert.deepEqual(await names('?tag=role=db'), ['a', 'db-2']);
  assert.deepEqual(await names('?tag=role=db&tag=zone=eu-.*'), ['a']);
  assert.deepEqual(await names(`?name=${encodeURIComponent('db-.*')}`), ['db-2']);
  assert.deepEqual(await names('?name=d'), [], 'anchored: a part of the name does not match');
  assert.deepEqual(await names('?tag=nope=.*'), [], 'a member without the tag does not match');
  const bad = await call(`/v1/members?name=${encodeURIComponent('(')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'ERR_ARGUMENT');
  assert.equal((await call('/v1/members?tag=role')).status, 400);
});

test('GET /v1/events streams member events and log lines; the guard applies; the stream count is bounded', { timeout: 15_000 }, async () => {
  assert.equal((await fetch(url('/v1/events'))).status, 401, 'the token is required');
  assert.equal(
    (await fetch(url('/v1/events'), { headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' } })).status,
    403,
    'a foreign origin is refused',
  );
  assert.equal((await call('/v1/events?level=loud')).status, 400);

  const frames: StreamFrame[] = [];
  const target = { admin: server.address, token: TOKEN };
  const s1 = await adminStream(target, '/v1/events?level=info', (f) => frames.push(f));
  const s2 = await adminStream(target, '/v1/events?level=silent', () => undefined);
  await assert.rejects(
    adminStream(target, '/v1/events', () => undefined),
    (e: Error & { code?: string }) => e.code === 'ERR_TOO_MANY_STREAMS',
  );
  s2.close();
  assert.equal(await s2.done, 'closed');

  b.setTags({ role: 'web', zone: 'eu-3' });
  a.setTags({ role: 'db', zone: 'eu-1', rack: 'r1' });
  await eventually(
    () => frames.some((f) => f.event === 'member' && JSON.parse(f.data).member.name === 'b' && JSON.parse(f.data).type === 'update'),
    5000,
    "b's update on the stream",
  );
  await eventually(() => frames.some((f) => f.event === 'log' && JSON.parse(f.data).msg === 'tags set'), 5000, "a's log line on the stream");
  // A freed slot can be taken again.
  const s3 = await adminStream(target, '/v1/events', () => undefined);
  s3.close();
  s1.close();
  assert.equal(await s1.done, 'closed');
});

test("a monitor at debug gets debug lines from an agent at info; the agent's own output stays at info", { timeout: 15_000 }, async () => {
  const frames: StreamFrame[] = [];
  const s = await adminStream({ admin: server.address, token: TOKEN }, '/v1/events?level=debug', (f) => frames.push(f));
  assert.equal(a.log.level, 'debug', 'the logger runs at debug while followed');
  assert.equal(a.logLevel, 'info', "the operator's level is unchanged");
  const before = aOutput.length;
  a.log.debug({ probe: 'x' }, 'a debug line for the monitor');
  await eventually(
    () => frames.some((f) => f.event === 'log' && JSON.parse(f.data).msg === 'a debug line for the monitor'),
    5000,
    'the debug line on the stream',
  );
  assert.ok(!aOutput.slice(before).some((l) => l.includes('a debug line for the monitor')), 'not on the agent output');
  s.close();
  await s.done;
  await eventually(() => a.log.level === 'info', 5000, 'back to info once the monitor left');
});

test('force-leave: a failed member becomes left here and on the others; live or unknown members are refused', { timeout: 15_000 }, async () => {
  const live = await call('/v1/force-leave', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'b' }) });
  assert.equal(live.status, 409);
  assert.equal(live.body.error.code, 'ERR_NOT_FAILED');
  const none = await call('/v1/force-leave', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'nobody' }) });
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, 'ERR_NO_MEMBER');
  assert.equal((await call('/v1/force-leave', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'b', prune: 'yes' }) })).status, 400);

  await c.shutdown();
  await waitForState(a, 'db-2', 'dead', 8000);
  await waitForState(b, 'db-2', 'dead', 8000);
  const r = await call('/v1/force-leave', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'db-2' }) });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'left');
  assert.equal(a.member('db-2')?.state, 'left');
  await waitForState(b, 'db-2', 'left', 5000);
});

test('tags set at run time survive a restart with --data-dir (DATA_DIR/tags.json, mode 0600)', { timeout: 10_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-tags-'));
  try {
    const first = await createAgent(testConfig('t', { dataDir: dir, tags: { role: 'db' } }));
    first.setTags({ role: 'db', shard: '17' });
    await first.shutdown();
    assert.equal(statSync(join(dir, 'tags.json')).mode & 0o777, 0o600);
    const second = await createAgent(testConfig('t', { dataDir: dir, tags: { role: 'db' } }));
    try {
      assert.deepEqual(second.self().tags, { role: 'db', shard: '17' });
    } finally {
      await second.shutdown();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a consumer that does not read: items beyond the buffer are dropped and counted, then it is told', () => {
  const hub = new MonitorHub();
  const streams = new EventStreams({ maxStreams: 1, bufferBytes: 1000, heartbeatMs: 60_000 });
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableLength: 0,
    writeHead: () => undefined,
    write(chunk: string) {
      written.push(chunk);
      this.writableLength += chunk.length;
      return false;
    },
  });
  const req = new EventEmitter();
  assert.ok(streams.serve(req as unknown as IncomingMessage, res as unknown as ServerResponse, (fn) => hub.subscribe(fn), 30));
  assert.equal(
    streams.serve(req as unknown as IncomingMessage, res as unknown as ServerResponse, (fn) => hub.subscribe(fn), 30),
    false,
    'one stream at most',
  );
  for (let i = 0; i < 100; i++) hub.publish({ kind: 'member', data: { i, pad: 'x'.repeat(50) } });
  assert.ok(res.writableLength <= 1000, `queued ${res.writableLength} bytes`);
  const sent = written.filter((w) => w.startsWith('event: member')).length;
  assert.ok(sent > 0 && sent < 100);
  hub.publish({ kind: 'log', level: 20, data: { msg: 'debug, below the level' } });
  res.writableLength = 0; // the consumer caught up
  hub.publish({ kind: 'member', data: { i: 100 } });
  const tail = written.slice(-2);
  assert.equal(tail[0], `event: dropped\ndata: {"count":${100 - sent}}\n\n`);
  assert.match(tail[1]!, /"i":100/);
  assert.ok(!written.some((w) => w.includes('below the level')));
  req.emit('close');
  assert.equal(streams.count, 0);
  assert.equal(hub.size, 0, 'unsubscribed');
});
