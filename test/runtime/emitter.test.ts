/** The one emitter (src/runtime/emitter.ts): order, changes during an emit, and the three error policies its users choose. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter } from '../../src/runtime/emitter.js';
import { MonitorHub } from '../../src/agent/monitor.js';

type Events = { a: number; b: string };

test('listeners run in subscription order; one added or removed during an emit takes effect next time', () => {
  const e = new TypedEmitter<Events>();
  const heard: string[] = [];
  let offSecond = (): void => undefined;
  e.on('a', (n) => {
    heard.push(`first ${n}`);
    offSecond();
    e.on('a', (m) => heard.push(`late ${m}`));
  });
  offSecond = e.on('a', (n) => heard.push(`second ${n}`));
  e.on('b', (s) => heard.push(`b ${s}`));
  e.emit('a', 1);
  assert.deepEqual(heard, ['first 1', 'second 1']);
  assert.equal(e.listenerCount('a'), 2, 'the first and the late one');
  e.once('b', (s) => heard.push(`once ${s}`));
  e.emit('b', 'x');
  e.emit('b', 'y');
  assert.deepEqual(heard.slice(2), ['b x', 'once x', 'b y']);
});

test('errors: rethrown by default, reported with the event when asked, or the listener dropped', () => {
  const boom = new Error('boom');
  const plain = new TypedEmitter<Events>();
  plain.on('a', () => {
    throw boom;
  });
  assert.throws(
    () => plain.emit('a', 1),
    (e) => e === boom,
  );

  const reported: unknown[] = [];
  const logged = new TypedEmitter<Events>((err, type, payload) => reported.push([err, type, payload]));
  let after = 0;
  logged.on('a', () => {
    throw boom;
  });
  logged.on('a', () => after++);
  logged.emit('a', 7);
  assert.deepEqual(reported, [[boom, 'a', 7]]);
  assert.equal(after, 1, 'the next listener still runs');

  const hub = new MonitorHub();
  let good = 0;
  hub.subscribe(() => {
    throw boom;
  });
  hub.subscribe(() => good++);
  hub.publish({ kind: 'log', data: {} });
  hub.publish({ kind: 'log', data: {} });
  assert.equal(hub.size, 1, 'the throwing subscriber is dropped');
  assert.equal(good, 2);
});
