/**
 * Inline record definitions: msgpackr lets a packet define a record shape and keeps it. On our
 * wire the shapes are fixed by the protocol version, so a packet that defines one is refused,
 * and whatever it wrote dies with it. Before the fix, the 12-byte datagram below redefined the
 * Ping shape for good: every later Ping failed to decode, and one such packet deafened an agent
 * (and, through the shared codec, a whole simulation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { createCodec } from '../../src/wire/codec.js';
import * as M from '../../src/core/messages.js';
import { Simulation } from '../../src/sim/index.js';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { testConfig, waitForState } from '../agent/helpers.js';
import { parseHostPort } from '../../src/transport/address.js';

/** The datagram from the security review: a compound whose one record defines shape 0 as {x, y}. */
const POISON = Uint8Array.from([0x01, 0x91, 0xd4, 0x72, 0x40, 0x92, 0xa1, 0x78, 0xa1, 0x79, 0x01, 0x02]);
const SEED = Number(process.env.SIM_SEED ?? 3);

const sample: M.Message[] = [
  M.ping(7, 'b', 'a', 3),
  M.ack(7, 'b', 3),
  M.pingReq(8, 'c', '10.0.0.3:7946', 'a'),
  M.nack(8, 'b'),
  M.alive('c', '10.0.0.3:7946', 4, ['zone', 'x']),
  M.suspect('c', 4, 'a'),
  M.dead('c', 4, 'a'),
  M.left('c', 5),
  M.pushPull('a', 0, 0, 1, [M.entry('c', '10.0.0.3:7946', 0, 4, [])]),
  M.digest('a', 12345, 3),
];

const fixstr = (s: string): number[] => [0xa0 | s.length, ...Buffer.from(s)];

/** A packet whose only message defines record slot `id` (with an optional high byte) inline. */
function definition(id: number, keys: readonly string[], highByte?: number): Uint8Array {
  const head = highByte === undefined ? [0xd4, 0x72, 0x40 | id] : [0xd5, 0x72, 0x40 | id, highByte];
  const values = keys.map((_, i) => i & 0x7f);
  return Uint8Array.from([0x01, 0x91, ...head, 0x90 | keys.length, ...keys.flatMap(fixstr), ...values]);
}

test('the 12-byte poison datagram is refused as inline-shape, and every message still decodes after it', () => {
  const codec = createCodec();
  const r = codec.decode(POISON);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'inline-shape');
  for (const m of sample) assert.deepEqual(codec.decode(codec.encode([m])), { ok: true, value: [m] }, `type ${m.type} after the poison`);
});

test('any inline definition, of any slot, with or without a high byte, leaves the fixed shapes intact', () => {
  const codec = createCodec();
  const key = fc.stringMatching(/^[a-z]{1,6}$/);
  fc.assert(
    fc.property(
      fc.nat(63),
      fc.option(fc.nat(255), { nil: undefined }),
      fc.array(key, { minLength: 1, maxLength: 6 }),
      fc.constantFrom(...sample),
      (id, high, keys, m) => {
        const r = codec.decode(definition(id, keys, high));
        assert.equal(r.ok, false, 'a packet that defines a shape is never accepted');
        assert.deepEqual(codec.decode(codec.encode([m])), { ok: true, value: [m] });
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
});

test('a simulation whose agents share one codec survives the poison sent to one agent: nobody is suspected', () => {
  const sim = new Simulation({ nodes: 5, seed: SEED });
  sim.joinAll();
  assert.ok(sim.runUntilConverged(30_000) !== null, `converged (seed ${SEED})`);
  const suspicions: string[] = [];
  sim.onEvent((observer, e) => {
    if (e.type === 'suspect' || e.type === 'failed') suspicions.push(`${observer} ${e.type} ${e.member.name}`);
  });
  sim.agent(2).receive(sim.address(0), POISON);
  sim.run(30_000);
  assert.deepEqual(suspicions, [], `seed ${SEED}`);
  assert.ok(sim.checkConverged());
  assert.equal(sim.node(2).observer.counters.drops['inline-shape'], 1);
});

test('a real agent sent the poison datagram keeps answering: no member of 3 is ever suspected', { timeout: 15_000 }, async () => {
  const agents: Agent[] = [];
  try {
    for (const n of ['p0', 'p1', 'p2']) agents.push(await createAgent(testConfig(n)));
    const [a, b, c] = agents as [Agent, Agent, Agent];
    await b.join([a.address]);
    await c.join([a.address]);
    for (const o of agents) for (const s of agents) await waitForState(o, s.name, 'alive', 5000);
    const suspected: string[] = [];
    for (const o of agents) o.on('suspect', (e) => suspected.push(`${o.name} suspects ${e.member.name}`));

    const target = parseHostPort(b.address, 'b');
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send(POISON, target.port, target.host, (e) => (e ? reject(e) : resolve())));
    sock.close();

    // 3 s at these settings is 15 probe periods: b is probed by both others several times over.
    const before = b.stats().counters.messagesOut.ping ?? 0;
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(suspected, []);
    assert.equal(b.stats().counters.drops['inline-shape'], 1, 'the poison was received and refused');
    assert.ok((b.stats().counters.messagesOut.ping ?? 0) > before, 'b kept probing');
    for (const o of agents) for (const s of agents) assert.equal(o.member(s.name)?.state, 'alive');
  } finally {
    await Promise.all(agents.map((x) => x.shutdown()));
  }
});
