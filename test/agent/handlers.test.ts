/**
 * Event handlers (src/agent/handlers.ts): specs parsed as Serf's, scripts run through /bin/sh
 * with the event on stdin and in the environment, bounded in concurrency and time (a script past
 * its timeout is killed with its children), failures logged, a query handler's stdout returned.
 * Real processes, each a few milliseconds of shell; the one real agent pair is on loopback.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createAgent } from '../../src/agent/agent.js';
import { attachHandlers, attachMessageHandlers, HandlerRunner, matches, parseHandlerSpec, type HandlerHost } from '../../src/agent/handlers.js';
import { resolveAgentConfig } from '../../src/agent/agent-config.js';
import type { Member } from '../../src/core/types.js';
import { eventually, testConfig, waitForState } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-handlers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const self: Member = { name: 'me', address: '127.0.0.1:7946', state: 'alive', incarnation: 3, tags: { role: 'db', 'zone.name': 'eu-1' }, stateChangedAt: 0 };
function host(): HandlerHost & { warnings: { o: Record<string, unknown>; msg: string }[] } {
  const warnings: { o: Record<string, unknown>; msg: string }[] = [];
  return { self: () => self, warnings, log: { warn: (o, msg) => void warnings.push({ o: o as Record<string, unknown>, msg }), debug: () => undefined } };
}

test('handler specs: filters as Serf spells them, a bare command for every event, typos refused', () => {
  assert.deepEqual(parseHandlerSpec('member-join,member-failed=./on-change.sh'), { filters: ['member-join', 'member-failed'], command: './on-change.sh' });
  assert.deepEqual(parseHandlerSpec('./all.sh --flag=x'), { filters: ['*'], command: './all.sh --flag=x' });
  assert.deepEqual(parseHandlerSpec('user:deploy,query:shard=./x.sh'), { filters: ['user:deploy', 'query:shard'], command: './x.sh' });
  assert.throws(() => parseHandlerSpec('member-joined=./x.sh'), /unknown event "member-joined"/);
  assert.throws(() => parseHandlerSpec('member-join='), /give a command/);
  assert.throws(
    () => resolveAgentConfig({ name: 'x', handlers: ['member-joined=./x.sh'] }),
    (e: Error & { code?: string }) => e.code === 'ERR_CONFIG' && /handler/.test(e.message),
  );
  assert.throws(() => resolveAgentConfig({ name: 'x', handlerTimeoutMs: 0 }), /handlerTimeoutMs 0: must be a positive integer/);
  const spec = parseHandlerSpec('user:deploy,member-leave=./x.sh');
  assert.ok(matches(spec, { kind: 'user', name: 'deploy' }));
  assert.ok(!matches(spec, { kind: 'user', name: 'other' }));
  assert.ok(matches(spec, { kind: 'member-leave' }));
  assert.ok(matches(parseHandlerSpec('user=./x.sh'), { kind: 'user', name: 'any' }));
});

test('a script gets the event on stdin and in PHANTOM_* variables; a failing one is logged', { timeout: 10_000 }, async () => {
  const h = host();
  const out = join(dir, 'env.txt');
  const runner = new HandlerRunner(
    [parseHandlerSpec(`member-join=cat > ${out}.in; env | grep ^PHANTOM_ | sort > ${out}`), parseHandlerSpec('member-join=echo oops >&2; exit 3')],
    h,
  );
  runner.dispatch({ kind: 'member-join', members: [{ ...self, name: 'db-7', address: '10.0.0.7:7946', tags: { role: 'db' } }] });
  runner.dispatch({ kind: 'member-failed', members: [self] }); // no handler takes it
  await eventually(() => runner.counts.runs === 2 && h.warnings.length === 1, 5000, 'both scripts ran');
  await eventually(() => existsSync(out) && readFileSync(out, 'utf8').includes('PHANTOM_EVENT'), 5000, 'env written');
  const env = readFileSync(out, 'utf8');
  assert.match(env, /^PHANTOM_EVENT=member-join$/m);
  assert.match(env, /^PHANTOM_SELF_NAME=me$/m);
  assert.match(env, /^PHANTOM_SELF_ADDRESS=127\.0\.0\.1:7946$/m);
  assert.match(env, /^PHANTOM_TAG_ROLE=db$/m);
  assert.match(env, /^PHANTOM_TAG_ZONE_NAME=eu-1$/m);
  assert.equal(readFileSync(`${out}.in`, 'utf8'), 'db-7\t10.0.0.7:7946\talive\trole=db\n');
  assert.equal(h.warnings[0]!.msg, 'event handler failed');
  assert.equal(h.warnings[0]!.o.code, 3);
  assert.match(String(h.warnings[0]!.o.stderr), /oops/);
});

test('bounded: concurrency is held, a script past its timeout is killed with its children, a full queue drops', { timeout: 15_000 }, async () => {
  const h = host();
  const marks = join(dir, 'conc');
  // Each run leaves a file while it runs; the count of files alive at once must stay ≤ 2.
  const runner = new HandlerRunner(
    [parseHandlerSpec(`user=f=${marks}.$$; touch $f; n=$(ls ${marks}.* 2>/dev/null | wc -l); echo $n >> ${marks}-max; sleep 0.2; rm $f`)],
    h,
    { concurrency: 2, timeoutMs: 5000, maxQueued: 3, maxOutputBytes: 1024 },
  );
  for (let i = 0; i < 6; i++) runner.dispatch({ kind: 'user', name: 'e', payload: Buffer.from(String(i)) });
  assert.equal(runner.counts.dropped, 1, '2 running + 3 queued, the 6th dropped');
  await eventually(
    () =>
      runner.counts.runs === 5 &&
      existsSync(`${marks}-max`) &&
      readdirSync(dir).filter((f) => f.startsWith('conc.')).length === 0 &&
      readFileSync(`${marks}-max`, 'utf8').trim().split('\n').length === 5,
    10_000,
    'five runs done',
  );
  const peaks = readFileSync(`${marks}-max`, 'utf8').trim().split('\n').map(Number);
  assert.ok(Math.max(...peaks) <= 2, `at most 2 at once (saw ${peaks})`);
  assert.ok(h.warnings.some((w) => /queue full/.test(w.msg)));

  const slow = new HandlerRunner([parseHandlerSpec(`sleep 30 & echo $! > ${dir}/child.pid; wait`)], h, {
    concurrency: 1,
    timeoutMs: 300,
    maxQueued: 1,
    maxOutputBytes: 1024,
  });
  const started = Date.now();
  slow.dispatch({ kind: 'member-join', members: [self] });
  await eventually(() => slow.counts.timeouts === 1, 5000, 'the timeout fired');
  assert.ok(Date.now() - started < 5000);
  const childPid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
  await eventually(() => !alive(childPid), 2000, "the script's child was killed with it");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("a query handler's stdout is the response (the hook for queries), capped", { timeout: 5000 }, async () => {
  const runner = new HandlerRunner(
    [
      parseHandlerSpec('query:shard=read p; echo "shard $p is on $PHANTOM_SELF_NAME ($PHANTOM_QUERY_NAME)"'),
      parseHandlerSpec('query:big=head -c 5000 /dev/zero'),
    ],
    host(),
  );
  assert.equal(Buffer.from((await runner.runQuery('shard', Buffer.from('17\n')))!).toString(), 'shard 17 is on me (shard)\n');
  assert.equal((await runner.runQuery('big', Buffer.alloc(0)))!.length, 1024);
  assert.equal(await runner.runQuery('nobody-answers', Buffer.alloc(0)), undefined);
});

test('a query:NAME handler answers its name wherever it is listed; a bare query handler answers the rest', { timeout: 5000 }, async () => {
  const runner = new HandlerRunner([parseHandlerSpec('query=printf "any:%s" "$PHANTOM_QUERY_NAME"'), parseHandlerSpec('query:shard=printf named')], host());
  assert.equal(Buffer.from((await runner.runQuery('shard', Buffer.alloc(0)))!).toString(), 'named');
  assert.equal(Buffer.from((await runner.runQuery('load', Buffer.alloc(0)))!).toString(), 'any:load');
});

test('member events of one kind close together make one run with every member on stdin', { timeout: 5000 }, async () => {
  const listeners = new Map<string, (e: { member: Member }) => void>();
  const h = host();
  const fake = { ...h, on: (t: string, fn: (e: { member: Member }) => void) => (listeners.set(t, fn), () => void listeners.delete(t)) };
  const out = join(dir, 'batch.txt');
  const attached = attachHandlers(fake, [parseHandlerSpec(`member-join=cat > ${out}.$$`)], { coalesceMs: 50 });
  try {
    for (let i = 0; i < 20; i++) listeners.get('join')!({ member: { ...self, name: `n${i}` } });
    await eventually(() => attached.runner.counts.runs === 1 && readdirSync(dir).some((f) => f.startsWith('batch.txt.')), 3000, 'one run');
    const file = readdirSync(dir).find((f) => f.startsWith('batch.txt.'))!;
    await eventually(() => readFileSync(join(dir, file), 'utf8').split('\n').length === 21, 3000, 'all 20 lines');
    assert.equal(attached.runner.counts.runs, 1, '20 joins, one run');
  } finally {
    attached.stop();
  }
  assert.equal(listeners.size, 0, 'unsubscribed');
});

test('attached to a real agent: a member-join runs the script', { timeout: 10_000 }, async () => {
  const a = await createAgent(testConfig('ha'));
  const b = await createAgent(testConfig('hb'));
  const out = join(dir, 'joined.txt');
  const h = attachHandlers(a, [parseHandlerSpec(`member-join=cat >> ${out}`)]);
  try {
    await b.join([a.address]);
    await waitForState(a, 'hb', 'alive', 5000);
    await eventually(
      () => {
        try {
          return readFileSync(out, 'utf8').startsWith('hb\t');
        } catch {
          return false;
        }
      },
      5000,
      'the handler saw hb join',
    );
    assert.match(readFileSync(out, 'utf8'), /^hb\t/, 'the script read the joined member from stdin');
  } finally {
    h.stop();
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('attached to a real agent: a user event runs its user:NAME script, query:NAME and bare query scripts answer', { timeout: 15_000 }, async () => {
  const a = await createAgent(testConfig('hu'));
  const b = await createAgent(testConfig('hv'));
  const out = join(dir, 'deploys.txt');
  const specs = [
    parseHandlerSpec(`user:deploy=cat >> ${out}`),
    parseHandlerSpec('query:shard=printf "held:%s" "$(cat)"'),
    parseHandlerSpec('query=printf "any:%s" "$PHANTOM_QUERY_NAME"'),
  ];
  const h = attachHandlers(a, specs);
  const detach = attachMessageHandlers(a, h.runner, specs);
  try {
    await b.join([a.address]);
    await waitForState(b, 'hu', 'alive', 5000);
    b.event('deploy', 'v42');
    b.event('other', 'ignored');
    await eventually(() => existsSync(out) && readFileSync(out, 'utf8') === 'v42', 5000, 'the user:deploy handler got the payload');
    const answers = await b.query('shard', '17', { timeoutMs: 3000 }).done;
    const fromA = answers.responses.find((r) => r.from === 'hu');
    assert.equal(fromA && new TextDecoder().decode(fromA.payload), 'held:17');
    const other = await b.query('load', '', { timeoutMs: 3000 }).done;
    const loadFromA = other.responses.find((r) => r.from === 'hu');
    assert.equal(loadFromA && new TextDecoder().decode(loadFromA.payload), 'any:load', 'the bare query handler answers a name nobody named');
    assert.throws(() => b.query('*'), /reserved/, "'*' is not a query name");
  } finally {
    detach();
    h.stop();
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});
