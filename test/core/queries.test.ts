/**
 * Queries in the core: filters evaluated by the receiver, an ack and a response straight to the
 * asker plus relay copies, relay copies forwarded only to a live member, one answer per member
 * and kind kept, nothing after the timeout, and a default timeout that scales with the cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Swim } from '../../src/core/swim.js';
import { passesFilters } from '../../src/core/queries.js';
import * as M from '../../src/core/messages.js';
import type { Output, QueryRequest } from '../../src/core/io.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

const codec = createCodec();
const bytes = (s: string) => new TextEncoder().encode(s);
const ADDR = '127.0.0.1:1';
const make = (tags = {}) => new Swim({ name: 'a', address: ADDR, tags, config: lan }, { random: new SeededRandom(7), sizeOf: codec.sizeOf }, 0);
const addr = (i: number) => `127.0.1.${i}:7946`;
const learn = (core: Swim, n: number) =>
  core.step({ type: 'packet', from: addr(200), messages: Array.from({ length: n }, (_, i) => M.alive(`m${i}`, addr(i + 1), 0, [])) }, 0);
const sends = (outs: Output[]) => outs.filter((o): o is Extract<Output, { type: 'send' }> => o.type === 'send');
const of = <T extends Output['type']>(outs: Output[], t: T) => outs.filter((o): o is Extract<Output, { type: T }> => o.type === t);
const request = (extra: Partial<QueryRequest> = {}): QueryRequest => ({
  name: 'who',
  payload: bytes('?'),
  nodes: [],
  tags: [],
  ack: true,
  relay: 0,
  timeoutMs: 0,
  ...extra,
});

test('filters: named nodes and tag patterns, evaluated on our own name and tags', () => {
  assert.ok(passesFilters([], 'a', {}));
  assert.ok(passesFilters(['n', 'b', 'n', 'a'], 'a', {}));
  assert.ok(!passesFilters(['n', 'b'], 'a', {}));
  assert.ok(passesFilters(['t', 'role', '^db'], 'a', { role: 'db-primary' }));
  assert.ok(!passesFilters(['t', 'role', '^db$'], 'a', { role: 'db-primary' }));
  assert.ok(!passesFilters(['t', 'role', 'db'], 'a', {}), 'no such tag: no match');
  assert.ok(!passesFilters(['t', 'role', '('], 'a', { role: '(' }), 'a pattern that does not compile matches nothing');
  assert.ok(passesFilters(['n', 'a', 't', 'zone', 'eu'], 'a', { zone: 'eu-1' }));
});

test('a member that passes the filters acks at once, and its answer goes to the asker and through relays', () => {
  const a = make({ role: 'db' });
  learn(a, 10);
  const asker = addr(1);
  const q = M.query(5, 9, 'm0', asker, 'who', bytes('?'), M.QueryFlag.ack, 2, 5000, ['t', 'role', '^db$']);
  const outs = a.step({ type: 'packet', from: asker, messages: [q] }, 100);
  const [incoming] = of(outs, 'query');
  assert.ok(incoming, 'handed to the host');
  assert.equal(incoming.query.deadline, 5100);
  const acks = sends(outs).filter((s) => s.to === asker && s.messages.some((m) => m.type === M.MsgType.QueryResponse && m.flags === M.QueryFlag.ack));
  assert.equal(acks.length, 1);
  const answer = sends(a.step({ type: 'query-respond', key: incoming.query.key, payload: bytes('yes') }, 200));
  const responses = answer.flatMap((s) =>
    s.messages.filter((m): m is M.QueryResponse => m.type === M.MsgType.QueryResponse).map((m) => ({ to: s.to, via: m.to })),
  );
  assert.equal(responses.filter((r) => r.to === asker && r.via === '').length, 1, 'one straight to the asker');
  const relayed = responses.filter((r) => r.via === asker);
  assert.equal(relayed.length, 2, 'two relay copies');
  assert.ok(relayed.every((r) => r.to !== asker));
  assert.deepEqual(sends(a.step({ type: 'query-respond', key: incoming.query.key, payload: bytes('again') }, 300)), [], 'answered once');
  assert.equal(a.counters().queryAnswersDropped, 1);
  // Filters that do not pass: relayed on, not handed over, no ack.
  const other = a.step({ type: 'packet', from: asker, messages: [M.query(6, 10, 'm0', asker, 'who', bytes('?'), M.QueryFlag.ack, 0, 5000, ['n', 'm3'])] }, 400);
  assert.equal(of(other, 'query').length, 0);
  assert.equal(sends(other).filter((s) => s.to === asker).length, 0);
  assert.equal(a.pendingUserMessages > 0, true, 'still gossiped on');
});

test('a relay copy is forwarded only to a live member', () => {
  const a = make();
  learn(a, 3);
  const toMember = sends(a.step({ type: 'packet', from: addr(2), messages: [M.queryResponse(1, 1, 'm1', 0, bytes('r'), addr(1))] }, 1));
  assert.equal(toMember.length, 1);
  assert.equal(toMember[0]!.to, addr(1));
  assert.equal((toMember[0]!.messages[0] as M.QueryResponse).to, '');
  const toStranger = sends(a.step({ type: 'packet', from: addr(2), messages: [M.queryResponse(1, 1, 'm1', 0, bytes('r'), '10.9.9.9:7946')] }, 2));
  assert.deepEqual(toStranger, []);
});

test('the asker keeps one ack and one response per member, nothing after the timeout, then says done', () => {
  const a = make();
  learn(a, 9); // 10 live: default timeout = 200 ms × 16 × ceil(log10(11)) = 6.4 s
  const outs = a.step({ type: 'query', id: 1, request: request() }, 1000);
  assert.equal(of(outs, 'query').length, 1, 'our own query reaches our own handler too');
  const ownAck = of(outs, 'query-answer');
  assert.deepEqual(
    ownAck.map((o) => [o.kind, o.from]),
    [['ack', 'a']],
  );
  const q = a.pendingUserMessages;
  assert.equal(q, 1, 'gossiped');
  const ltime = 0;
  const answer = (from: string, flags: number, at: number) =>
    of(a.step({ type: 'packet', from: addr(1), messages: [M.queryResponse(ltime, 1, from, flags, bytes(from), '')] }, at), 'query-answer');
  assert.equal(answer('m1', M.QueryFlag.ack, 1100).length, 1);
  assert.equal(answer('m1', M.QueryFlag.ack, 1101).length, 0, 'the same ack twice (direct and relayed) counts once');
  assert.equal(answer('m1', 0, 1102).length, 1);
  assert.equal(answer('m1', 0, 1103).length, 0);
  assert.equal(
    of(a.step({ type: 'packet', from: addr(1), messages: [M.queryResponse(ltime + 1, 1, 'm2', 0, bytes('x'), '')] }, 1104), 'query-answer').length,
    0,
    'another Lamport time: not this query',
  );
  assert.equal(a.nextDeadline() <= 1000 + 6400, true);
  const done = of(a.step({ type: 'tick' }, 1000 + 6400), 'query-done');
  assert.deepEqual(done, [{ type: 'query-done', id: 1, timeoutMs: 6400 }]);
  assert.equal(answer('m2', 0, 7500).length, 0, 'after the timeout: dropped');
});

test('a query from a stranger is dropped', () => {
  const a = make();
  learn(a, 2);
  const outs = a.step({ type: 'packet', from: '10.1.1.1:7946', messages: [M.query(1, 1, 'x', '10.1.1.1:7946', 'who', bytes(''), 1, 0, 1000, [])] }, 1);
  assert.equal(of(outs, 'query').length, 0);
  assert.equal(sends(outs).length, 0);
});
