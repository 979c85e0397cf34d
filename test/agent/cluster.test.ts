/**
 * Three real agents on loopback UDP in this process: they join, detect a crashed agent, and see
 * a graceful leave as `left` (never `failed`). Bounded by event waits with timeouts.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { testConfig, waitForState } from './helpers.js';

const agents: Agent[] = [];
after(async () => {
  await Promise.all(agents.map((a) => a.shutdown()));
});

test('three agents join, detect a crash, and see a leave', { timeout: 20_000 }, async () => {
  for (const n of ['a', 'b', 'c']) agents.push(await createAgent(testConfig(n)));
  const [a, b, c] = agents as [Agent, Agent, Agent];
  assert.equal(await b.join([a.address]), 1);
  await c.join([a.address]);
  for (const o of agents) for (const s of agents) await waitForState(o, s.name, 'alive', 5000);
  assert.equal(a.stats().checksum, b.stats().checksum);

  const failedEvents: string[] = [];
  a.on('failed', (e) => failedEvents.push(e.member.name));
  // Crash c: no leave, the socket just goes away.
  await c.shutdown();
  await waitForState(a, 'c', 'dead', 8000);
  await waitForState(b, 'c', 'dead', 8000);
  assert.deepEqual(failedEvents, ['c']);

  // b leaves gracefully: a must see `left`, never `failed`.
  const leftSeen = waitForState(a, 'b', 'left', 5000);
  await b.leave();
  await leftSeen;
  assert.ok(!failedEvents.includes('b'), 'a leave must never be reported as a failure');
  assert.ok(
    a.history('c').some((h) => h.kind === 'suspicion-started'),
    'the history explains why c was declared failed',
  );
});

test('join with no answering seed rejects with ERR_JOIN_FAILED saying what to check', { timeout: 10_000 }, async () => {
  const lone = await createAgent(testConfig('lone'));
  agents.push(lone);
  await assert.rejects(lone.join(['127.0.0.1:9']), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ERR_JOIN_FAILED');
    assert.match(e.message, /Is an agent running at each seed/);
    return true;
  });
});

test('start-up errors: port in use, address not ours, bad fields all named', { timeout: 10_000 }, async () => {
  const first = await createAgent(testConfig('first'));
  agents.push(first);
  const port = first.address.split(':').pop();
  await assert.rejects(createAgent(testConfig('second', { bind: `127.0.0.1:${port}` })), /ERR_BIND|port is in use/);
  await assert.rejects(createAgent(testConfig('x', { bind: '192.0.2.1:0' })), /not an address of this host/);
  await assert.rejects(
    createAgent({
      name: '',
      bind: 'nope:xx',
      profile: 'fast',
      logLevel: 'loud',
      tags: { a: 1 as unknown as string },
      admin: 'localhost:99999',
      join: ['::1'] as string[],
    }),
    (e: Error) => {
      for (const field of ['name', 'bind', 'profile', 'logLevel', 'tags.a', 'admin'])
        assert.match(e.message, new RegExp(`\\b${field.replace('.', '\\.')}\\b`), `mentions ${field}`);
      return true;
    },
  );
});
