/** The admin API against a real two-agent loopback cluster: endpoints, errors, limits, /metrics. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { ADMIN_MAX_BODY_BYTES, startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { eventually, testConfig, waitForState } from '../agent/helpers.js';

let a: Agent;
let b: Agent;
let server: AdminServer;
let left = 0;
const JSON_TYPE = { 'content-type': 'application/json' };
const url = (p: string): string => `http://${server.address}${p}`;
const json = async (p: string, init?: RequestInit): Promise<{ status: number; body: any }> => {
  const r = await fetch(url(p), init);
  return { status: r.status, body: await r.json() };
};

before(async () => {
  a = await createAgent(testConfig('a', { tags: { zone: 'z1' } }));
  b = await createAgent(testConfig('b'));
  await b.join([a.address]);
  await waitForState(a, 'b', 'alive', 5000);
  server = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => void left++),
  );
});
after(async () => {
  await server.close();
  await Promise.all([a.shutdown(), b.shutdown()]);
});

test('GET /v1/members, with a status filter, and /v1/members/:name with history', { timeout: 5000 }, async () => {
  const all = await json('/v1/members');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.map((m: { name: string }) => m.name),
    ['a', 'b'],
  );
  // The agent's own row always has a coordinate (coordinates are on by default).
  assert.deepEqual(Object.keys(all.body[0]).sort(), ['addr', 'coordinate', 'incarnation', 'name', 'sinceMs', 'status', 'tags']);
  assert.deepEqual((await json('/v1/members?status=failed')).body, []);
  assert.equal((await json('/v1/members?status=zombie')).status, 400);
  const one = await json('/v1/members/b');
  assert.equal(one.body.status, 'alive');
  assert.ok(one.body.history.some((h: { event?: string }) => h.event === 'join'));
  const none = await json('/v1/members/nobody');
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, 'ERR_NO_MEMBER');
});

test('GET /v1/self, /v1/info, /v1/health, /v1/lookup', { timeout: 5000 }, async () => {
  assert.equal((await json('/v1/self')).body.name, 'a');
  const info = await json('/v1/info');
  assert.equal(info.body.profile, 'local');
  assert.equal(typeof info.body.stats.counters.messagesOut.ping, 'number');
  assert.deepEqual(await json('/v1/health'), { status: 200, body: { status: 'ok' } });
  const l = await json('/v1/lookup?key=user:42&n=2');
  assert.deepEqual([...l.body.owners].sort(), ['a', 'b']);
  assert.equal((await json('/v1/lookup')).status, 400);
});

test('GET /v1/coordinates lists every coordinate heard; /v1/lookup?near=1 orders owners nearest first', { timeout: 8000 }, async () => {
  // b's coordinate arrives with its first ack to one of a's probes.
  await eventually(() => a.member('b')?.coordinate !== undefined, 6000, 'a coordinate for b');
  const rows = (await json('/v1/coordinates')).body as { name: string; coordinate: { vec: number[]; height: number; error: number; adjustment: number } }[];
  assert.deepEqual(
    rows.map((r) => r.name),
    ['a', 'b'],
  );
  for (const r of rows) {
    assert.equal(r.coordinate.vec.length, 8);
    assert.ok([...r.coordinate.vec, r.coordinate.height, r.coordinate.error, r.coordinate.adjustment].every(Number.isFinite));
  }
  // `a` asks: it is at distance 0 from itself, so it comes first whatever the ring says.
  const near = await json('/v1/lookup?key=user:42&n=2&near=1');
  assert.deepEqual(near.body.owners, ['a', 'b']);
  assert.equal((await json('/v1/lookup?key=user:42&near=maybe')).status, 400);
});

test('POST /v1/tags spreads new tags; POST /v1/join validates; POST /v1/leave calls leave', { timeout: 5000 }, async () => {
  const r = await json('/v1/tags', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ set: { role: 'db' }, delete: ['zone'] }) });
  assert.deepEqual(r.body.tags, { role: 'db' });
  await new Promise<void>((resolve) => {
    const check = (): void => void (b.member('a')?.tags.role === 'db' && resolve());
    b.on('update', check);
    check();
  });
  assert.equal((await json('/v1/join', { method: 'POST', headers: JSON_TYPE, body: '{"addrs":[]}' })).status, 400);
  assert.equal((await json('/v1/join', { method: 'POST', headers: JSON_TYPE, body: '{"addrs":["no pe:1"]}' })).status, 400);
  assert.equal((await json('/v1/join', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ addrs: [b.address] }) })).body.contacted, 1);
  assert.equal((await json('/v1/leave', { method: 'POST', headers: JSON_TYPE })).status, 200);
  assert.equal(left, 1);
});

test('bad requests get 4xx JSON errors: bad JSON, wrong method, unknown path, body over the cap', { timeout: 5000 }, async () => {
  const bad = await json('/v1/tags', { method: 'POST', headers: JSON_TYPE, body: '{nope' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'ERR_BAD_JSON');
  assert.equal((await json('/v1/members', { method: 'POST' })).status, 405);
  assert.equal((await json('/v2/x')).status, 404);
  const big = await fetch(url('/v1/tags'), { method: 'POST', headers: JSON_TYPE, body: 'x'.repeat(ADMIN_MAX_BODY_BYTES + 1) });
  assert.equal(big.status, 413);
});

test('GET /metrics is Prometheus text with the documented families', { timeout: 5000 }, async () => {
  await eventually(() => a.stats().histograms.probeRttSeconds.count > 0, 4000, 'a probe acked');
  const r = await fetch(url('/metrics'));
  assert.match(r.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
  const text = await r.text();
  for (const family of [
    'phantom_members',
    'phantom_packets_total',
    'phantom_bytes_total',
    'phantom_messages_total',
    'phantom_probes_failed_total',
    'phantom_suspicions_total',
    'phantom_refutations_total',
    'phantom_drops_total',
    'phantom_awareness_score',
    'phantom_probes_total',
    'phantom_stalls_total',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${family} (counter|gauge)$`, 'm'));
  }
  assert.match(text, /^phantom_members\{state="alive"\} 2$/m);
  // Histograms, push-pull bytes, and prom-client's process and runtime series.
  for (const family of ['phantom_probe_rtt_seconds', 'phantom_event_loop_delay_seconds', 'nodejs_gc_duration_seconds'])
    assert.match(text, new RegExp(`^# TYPE ${family} histogram$`, 'm'));
  assert.match(text, /^phantom_probe_rtt_seconds_bucket\{le="\+Inf"\} \d+$/m);
  assert.match(text, /^phantom_probe_rtt_seconds_count [1-9]\d*$/m, 'a probe was acked since the join');
  assert.match(text, /^phantom_push_pull_bytes_total\{direction="out"\} [1-9]\d*$/m, 'the join was a push-pull');
  for (const family of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds'])
    assert.match(text, new RegExp(`^${family} `, 'm'));
  assert.doesNotMatch(text, /phantom_main_thread/, 'only when the agent runs in a worker');
  // Blank lines between families are allowed by the format; prom-client prints NaN as "Nan".
  for (const line of text
    .trim()
    .split('\n')
    .filter((l) => l !== ''))
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? ([-+]?[0-9.]+(e[-+]?[0-9]+)?|Nan|[-+]Inf))$/, line);
});
