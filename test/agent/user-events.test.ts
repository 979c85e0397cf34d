/**
 * User events end to end on loopback: an agent's event reaches every agent's emitter (its own
 * too) and a pino line; an embedded Cluster sends and hears them, with its agent in a worker and
 * on this loop; POST /v1/event sends one; bad names and oversize payloads are refused up front.
 * Coalescing is checked with fake timers. Queries: answers arrive through the async iterator
 * and `done`, filters pick who answers, POST /v1/query answers after the timeout, and a Cluster
 * answers and asks in both isolations.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAgent, type Agent, type UserEvent } from '../../src/agent/agent.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { EventCoalescer } from '../../src/agent/coalesce.js';
import { Cluster } from '../../src/cluster.js';
import { ClusterError } from '../../src/errors.js';
import { createLogger } from '../../src/agent/log.js';
import { FAST, testConfig, waitForState } from './helpers.js';

let a: Agent;
let b: Agent;
let server: AdminServer;
const aLines: Record<string, unknown>[] = [];
const text = (e: UserEvent) => new TextDecoder().decode(e.payload);

/** Resolve with the first event named `name` that `agent` emits; reject after `ms`. */
function nextEvent(on: (fn: (e: UserEvent) => void) => () => void, name: string, ms = 5000): Promise<UserEvent> {
  return new Promise((resolve, reject) => {
    const off = on((e) => {
      if (e.name !== name) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
    const timer = setTimeout(() => (off(), reject(new Error(`no event ${name} within ${ms} ms`))), ms);
  });
}

before(async () => {
  const logger = createLogger({ level: 'info', agent: 'a', pretty: false, write: (line) => void aLines.push(JSON.parse(line) as Record<string, unknown>) });
  a = await createAgent(testConfig('a', { tags: { role: 'db' } }), { logger });
  b = await createAgent(testConfig('b', { tags: { role: 'web' } }));
  a.onQuery('who', (q) => `a heard ${new TextDecoder().decode(q.payload)} from ${q.from}`);
  b.onQuery('who', async (q) => `b heard ${new TextDecoder().decode(q.payload)}`);
  await b.join([a.address]);
  await waitForState(a, 'b', 'alive', 5000);
  await waitForState(b, 'a', 'alive', 5000);
  server = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => {}),
  );
});
after(async () => {
  await server.close();
  await Promise.all([a.shutdown(), b.shutdown()]);
});

test('an event reaches every agent, the sender too, once, with a log line', { timeout: 10_000 }, async () => {
  const atA = nextEvent((fn) => a.on('event', fn), 'deploy');
  const atB = nextEvent((fn) => b.on('event', fn), 'deploy');
  b.event('deploy', 'v42');
  const [ea, eb] = await Promise.all([atA, atB]);
  assert.equal(text(ea), 'v42');
  assert.deepEqual(ea, eb);
  assert.equal(ea.coalesce, false);
  assert.ok(
    aLines.some((l) => l.msg === 'user event' && l.event === 'deploy' && l.bytes === 3),
    'a pino line names the event',
  );
  assert.equal(a.stats().core.userEvents, 1);
});

test('bad names and payloads over userEventMaxBytes are refused with a stable code', () => {
  const code = (c: string) => (e: unknown) => e instanceof ClusterError && e.code === c;
  assert.throws(() => a.event('two words'), code('ERR_ARGUMENT'));
  assert.throws(() => a.event(''), code('ERR_ARGUMENT'));
  assert.throws(
    () => a.event('big', new Uint8Array(510)),
    (e: unknown) => code('ERR_PAYLOAD_TOO_LARGE')(e) && /513 bytes.*userEventMaxBytes \(512\)/.test((e as Error).message),
  );
  const sent = a.stats().core.userEvents;
  a.event('big', new Uint8Array(509));
  assert.equal(a.stats().core.userEvents, sent + 1, 'name + payload = 512 is allowed: sent, and delivered here');
});

test('POST /v1/event sends an event; bad bodies are 400 with the reason', { timeout: 10_000 }, async () => {
  const post = (body: unknown) =>
    fetch(`http://${server.address}/v1/event`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const atB = nextEvent((fn) => b.on('event', fn), 'schema');
  const r = await post({ name: 'schema', payload: 'users+email', coalesce: false });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { sent: true, name: 'schema', bytes: 11, coalesce: false });
  assert.equal(text(await atB), 'users+email');
  const bin = nextEvent((fn) => b.on('event', fn), 'bin');
  assert.equal((await post({ name: 'bin', payloadBase64: 'AAEC' })).status, 200);
  assert.deepEqual([...(await bin).payload], [0, 1, 2]);
  const tooBig = await post({ name: 'x', payload: 'y'.repeat(600) });
  assert.equal(tooBig.status, 400);
  assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'ERR_PAYLOAD_TOO_LARGE');
  for (const bad of [{}, { name: 3 }, { name: 'x', payload: 5 }, { name: 'x', coalesce: 'yes' }, { name: 'x', payload: 'a', payloadBase64: 'AA==' }]) {
    const res = await post(bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
});

test('coalescing: of a burst sent with coalesce, listeners hear the latest once per period; others pass at once', () => {
  const pending: (() => void)[] = [];
  const heard: string[] = [];
  const c = new EventCoalescer(1000, (e) => heard.push(`${e.name}@${e.ltime}`), { set: (fn) => pending.push(fn), clear: () => {} });
  const ev = (name: string, ltime: number, coalesce = true) => ({ name, ltime, coalesce, payload: new Uint8Array(0) });
  c.push(ev('deploy', 3));
  c.push(ev('deploy', 5));
  c.push(ev('deploy', 4)); // late and older: not the latest
  c.push(ev('other', 1, false));
  c.push(ev('schema', 2));
  assert.deepEqual(heard, ['other@1']);
  for (const fire of pending.splice(0)) fire();
  assert.deepEqual(heard, ['other@1', 'deploy@5', 'schema@2']);
  c.push(ev('deploy', 9));
  c.flush();
  assert.deepEqual(heard.at(-1), 'deploy@9', 'flush (at shutdown) delivers what is held');
});

test('a query: acks and responses arrive through the iterator, then done has them all', { timeout: 10_000 }, async () => {
  const seen: string[] = [];
  const stream = b.query('who', 'ping', { timeoutMs: 1500 });
  for await (const answer of stream) seen.push(`${answer.type}:${answer.from}`);
  const r = await stream.done;
  assert.deepEqual(seen.sort(), ['ack:a', 'ack:b', 'response:a', 'response:b']);
  assert.deepEqual([...r.acks].sort(), ['a', 'b']);
  assert.deepEqual(r.responses.map((x) => `${x.from}=${new TextDecoder().decode(x.payload)}`).sort(), ['a=a heard ping from b', 'b=b heard ping']);
  assert.equal(r.timeoutMs, 1500);
});

test('query filters are evaluated by the receivers: --node and --tag pick who answers', { timeout: 10_000 }, async () => {
  const byNode = await a.query('who', 'x', { nodes: ['b'], timeoutMs: 1000 }).done;
  assert.deepEqual(
    byNode.responses.map((x) => x.from),
    ['b'],
  );
  assert.deepEqual(byNode.acks, ['b']);
  const byTag = await b.query('who', 'x', { tags: { role: '^d' }, timeoutMs: 1000, ack: false }).done;
  assert.deepEqual(
    byTag.responses.map((x) => x.from),
    ['a'],
  );
  assert.deepEqual(byTag.acks, [], 'no acks asked');
  const code = (c: string) => (e: unknown) => e instanceof ClusterError && e.code === c;
  assert.throws(() => a.query('who', 'x', { tags: { role: '(' } }), code('ERR_ARGUMENT'));
  assert.throws(() => a.query('who', 'x', { relay: 6 }), code('ERR_ARGUMENT'));
  assert.throws(() => a.query('who', 'x'.repeat(1100)), code('ERR_PAYLOAD_TOO_LARGE'));
});

test('POST /v1/query answers once the query timed out, with every ack and response', { timeout: 10_000 }, async () => {
  const r = await fetch(`http://${server.address}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'who', payload: 'hi', timeoutMs: 800, relay: 1 }),
  });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { timeoutMs: number; acks: string[]; responses: { from: string; payload: string }[] };
  assert.equal(body.timeoutMs, 800);
  assert.deepEqual([...body.acks].sort(), ['a', 'b']);
  assert.deepEqual(body.responses.map((x) => `${x.from}=${x.payload}`).sort(), ['a=a heard hi from a', 'b=b heard hi']);
  const bad = await fetch(`http://${server.address}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'who', tags: { role: '(' } }),
  });
  assert.equal(bad.status, 400);
});

for (const isolate of ['none', 'worker'] as const) {
  test(`an embedded Cluster (isolate ${isolate}) sends and hears user events, answers and asks queries`, { timeout: 30_000 }, async () => {
    const c = await Cluster.start({ isolate, agent: { ...testConfig(`c-${isolate}`), protocol: { ...FAST, userEventCoalesceMs: 0 } }, join: [a.address] });
    try {
      await waitForState(a, `c-${isolate}`, 'alive', 10_000);
      const atC = nextEvent((fn) => c.on('event', fn), `from-a-${isolate}`, 10_000);
      a.event(`from-a-${isolate}`, 'hello');
      assert.equal(text(await atC), 'hello');
      const atA = nextEvent((fn) => a.on('event', fn), `from-c-${isolate}`, 10_000);
      c.event(`from-c-${isolate}`, new Uint8Array([7]));
      assert.deepEqual([...(await atA).payload], [7]);
      assert.throws(
        () => c.event('x', 'y'.repeat(600)),
        (e: unknown) => e instanceof ClusterError && e.code === 'ERR_PAYLOAD_TOO_LARGE',
      );
      c.onQuery('who', (q) => `${isolate} heard ${new TextDecoder().decode(q.payload)}`);
      const asked = await a.query('who', 'q1', { nodes: [`c-${isolate}`], timeoutMs: 1500 }).done;
      assert.deepEqual(
        asked.responses.map((x) => new TextDecoder().decode(x.payload)),
        [`${isolate} heard q1`],
      );
      const mine = await c.query('who', 'q2', { nodes: ['a'], timeoutMs: 1500 }).done;
      assert.deepEqual(
        mine.responses.map((x) => new TextDecoder().decode(x.payload)),
        [`a heard q2 from c-${isolate}`],
      );
      assert.throws(
        () => c.query('who', 'x', { relay: 9 }),
        (e: unknown) => e instanceof ClusterError && e.code === 'ERR_ARGUMENT',
      );
    } finally {
      await c.shutdown();
    }
  });
}
