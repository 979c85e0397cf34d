/** Vivaldi coordinates: the math, the client, the wire form and its validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byDistance, coordFromWire, coordToWire, estimateRttMs, MAX_DIMENSIONS, origin, type Coordinate } from '../../src/core/coordinate.js';
import { Vivaldi } from '../../src/core/vivaldi.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import * as M from '../../src/core/messages.js';
import { createCodec } from '../../src/wire/codec.js';
import { checkMessage } from '../../src/wire/validate.js';
import { Swim } from '../../src/core/swim.js';
import type { Output } from '../../src/core/io.js';
import { lan } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';

/** Agents on a line at these positions (ms): true RTT = |a - b| + 2 × 0.5 ms of access link. */
const POS = [0, 3, 10, 40, 41];
const trueRtt = (i: number, j: number): number => Math.abs(POS[i]! - POS[j]!) + 1;

test('a few agents that probe each other round-robin converge to within 10% of every RTT', () => {
  const agents = POS.map((_, i) => new Vivaldi(seededRandom(`n${i}`)));
  for (let round = 0; round < 300; round++) {
    for (let i = 0; i < agents.length; i++) {
      const j = (i + 1 + (round % (agents.length - 1))) % agents.length;
      agents[i]!.observe(`n${j}`, agents[j]!.coordinate, trueRtt(i, j));
    }
  }
  for (let i = 0; i < agents.length; i++) {
    for (let j = i + 1; j < agents.length; j++) {
      const est = estimateRttMs(agents[i]!.coordinate, agents[j]!.coordinate);
      assert.ok(Math.abs(est - trueRtt(i, j)) / trueRtt(i, j) < 0.1, `n${i}-n${j}: estimate ${est.toFixed(2)} vs ${trueRtt(i, j)}`);
    }
  }
  assert.ok(agents[0]!.coordinate.error < 0.5, `error term fell from 1.5 to ${agents[0]!.coordinate.error}`);
});

test('nonsense samples and peers are refused and leave the coordinate as it was', () => {
  const v = new Vivaldi(seededRandom('x'));
  const before = v.coordinate;
  const peer = origin(8);
  v.observe('p', peer, -1);
  v.observe('p', peer, 60_000);
  v.observe('p', origin(3), 5);
  v.observe('p', { ...peer, height: Number.NaN }, 5);
  assert.equal(v.refused, 4);
  assert.equal(v.updates, 0);
  assert.equal(v.coordinate, before);
});

test('the wire form is integers, round-trips within its unit, and passes validation', () => {
  const c: Coordinate = { vec: [1.234, -40.5, 0, 0.005, 12, -3, 7.77, 0.01], height: 0.52, error: 0.213, adjustment: -0.137 };
  const w = coordToWire(c);
  assert.ok([...w.vec, w.height, w.error, w.adj].every(Number.isInteger));
  const back = coordFromWire(w);
  for (let i = 0; i < c.vec.length; i++) assert.ok(Math.abs(back.vec[i]! - c.vec[i]!) <= 0.005 + 1e-9);
  assert.ok(Math.abs(back.error - c.error) <= 0.0005 + 1e-9);
  const codec = createCodec();
  const decoded = codec.decode(codec.encode([M.ack(7, 'a', 3), w]));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value[1], w);
  // 8 axes of a 20-80 ms topology in a few bytes each (Serf's msgpack float64s take 9 each).
  assert.ok(codec.sizeOf(w) <= 40, `coord companion is ${codec.sizeOf(w)} bytes`);
});

test('validation refuses coordinates that are not finite integers in bounds, or have too many axes', () => {
  const good = { type: 12, vec: [1, 2, 3], height: 1, error: 100, adj: -4 };
  assert.equal(checkMessage(good).ok, true);
  const bad = [
    { ...good, vec: [1.5, 2, 3] },
    { ...good, vec: [] },
    { ...good, vec: new Array(MAX_DIMENSIONS + 1).fill(0) },
    { ...good, vec: [1, 'x', 3] },
    { ...good, height: -1 },
    { ...good, error: -1 },
    { ...good, adj: 2e12 },
    { ...good, height: Number.POSITIVE_INFINITY },
    { ...good, vec: 'abc' },
  ];
  for (const b of bad) {
    const r = checkMessage(b);
    assert.equal(r.ok, false, JSON.stringify(b));
    if (!r.ok) assert.equal(r.reason, 'bad-shape');
  }
});

test('byDistance orders names nearest first; unknown coordinates last, in their order', () => {
  const at = (x: number): Coordinate => ({ vec: [x, 0], height: 0.01, error: 0.1, adjustment: 0 });
  const coords: Record<string, Coordinate> = { far: at(50), near: at(1), mid: at(10) };
  assert.deepEqual(
    byDistance(['x', 'far', 'y', 'near', 'mid'], at(0), (n) => coords[n]),
    ['near', 'mid', 'far', 'x', 'y'],
  );
  assert.deepEqual(
    byDistance(['far', 'near'], undefined, (n) => coords[n]),
    ['far', 'near'],
  );
});

test("a core answers a member's ping with its coordinate, a stranger's without: no bigger than the ping", () => {
  const codec = createCodec();
  const a = new Swim({ name: 'a', address: 'a-addr', config: lan }, { random: new SeededRandom(1), sizeOf: codec.sizeOf }, 0);
  a.step({ type: 'packet', from: 'x', messages: [M.alive('b', 'b-addr', 0, [])] }, 0);
  const answer = (from: string, name: string): M.Message[] => {
    const outs = a.step({ type: 'packet', from, messages: [M.ping(7, 'a', name, 1)] }, 10);
    const s = outs.find((o): o is Extract<Output, { type: 'send' }> => o.type === 'send' && o.to === from);
    return s ? [...s.messages] : [];
  };
  assert.ok(
    answer('b-addr', 'b').some((m) => m.type === M.MsgType.Coord),
    'to member b',
  );
  const toStranger = answer('10.9.9.9:7946', 'mallory');
  assert.deepEqual(
    toStranger.map((m) => m.type),
    [M.MsgType.Ack],
  );
});

test("byDistance puts the asker first: its estimated distance to itself (two heights) may exceed a neighbour's", () => {
  const me: Coordinate = { vec: [0, 0], height: 1, error: 0.1, adjustment: 0 };
  const twin: Coordinate = { vec: [0, 0], height: 0.1, error: 0.1, adjustment: 0 };
  const of = (n: string): Coordinate | undefined => (n === 'twin' ? twin : n === 'me' ? me : undefined);
  assert.ok(estimateRttMs(me, twin) < estimateRttMs(me, me), 'the case this guards');
  assert.deepEqual(byDistance(['twin', 'me'], me, of, 'me'), ['me', 'twin']);
});
