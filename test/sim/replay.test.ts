/**
 * Replayed sealed gossip, on the simulator with encryption: an eavesdropper records every sealed
 * packet that accuses a member (suspect, dead, left) and sends them all again later to every
 * agent. Each agent's envelope reads the simulator's virtual wall clock (SIM_EPOCH_MS + simulated
 * time, plus a skew per agent where a test sets one). A failing run prints its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/sim/index.js';
import { MsgType, type Message } from '../../src/core/messages.js';
import { createCodec } from '../../src/wire/codec.js';
import { createEnvelope } from '../../src/wire/envelope.js';
import { generateKey, Keyring } from '../../src/wire/keyring.js';

const SEED = Number(process.env.SIM_SEED ?? 7);
const plain = createCodec();
const accuses = (m: Message): boolean => m.type === MsgType.Suspect || m.type === MsgType.Dead || m.type === MsgType.Left;

interface Run {
  readonly sim: Simulation;
  /** Sealed packets that carried an accusation, with the address they came from. */
  readonly captured: { from: string; bytes: Uint8Array }[];
  /** Member events, as "observer type subject@incarnation". */
  readonly events: string[];
}

/** n sealed agents, not started. */
function build(n: number, opts: { reapMs?: number; skewMs?: (i: number) => number } = {}): Run {
  const key = generateKey();
  const captured: Run['captured'] = [];
  const eavesdropper = createEnvelope({ keyring: new Keyring([key]), label: 'prod', replayWindowMs: 0 });
  const events: string[] = [];
  // Periodic push-pull off where rows are to be forgotten: today a row one agent has reaped comes
  // back in a state transfer from one that has not yet (with a fresh time), so a forgotten
  // member is never forgotten everywhere at once with it on.
  const reap = opts.reapMs === undefined ? {} : { reapFailedAfterMs: opts.reapMs, reapLeftAfterMs: opts.reapMs, pushPullIntervalMs: 0 };
  const sim: Simulation = new Simulation({
    nodes: n,
    seed: SEED,
    config: reap,
    security: () => ({ keyring: new Keyring([key]), label: 'prod' }),
    ...(opts.skewMs ? { clockSkewMs: opts.skewMs } : {}),
    // The eavesdropper holds the key too (an insider's recording): it opens what it hears, with
    // no replay window of its own, to keep what accuses someone.
    onSend: (from, _to, bytes) => {
      const opened = eavesdropper.unwrap(bytes);
      if (!opened.ok) return;
      const r = plain.decode(opened.value.body);
      if (r.ok && r.value.some(accuses)) captured.push({ from, bytes });
    },
  });
  sim.onEvent((observer, e) => events.push(`${observer} ${e.type} ${e.member.name}@${e.member.incarnation}`));
  return { sim, captured, events };
}

/** n sealed agents, joined and converged. */
function cluster(n: number, opts: { reapMs?: number; skewMs?: (i: number) => number } = {}): Run {
  const r = build(n, opts);
  r.sim.joinAll();
  assert.ok(
    r.sim.runUntil(() => r.sim.checkConverged(), 30_000),
    `not converged (seed ${SEED})`,
  );
  return r;
}

/** A suspicion refuted (n3 stalls), a graceful leave (n5) and a crash (n6), all recorded. */
function accusations(r: Run): void {
  r.sim.pause(3, 4000);
  r.sim.run(20_000);
  r.sim.leave(5);
  r.sim.run(5000);
  r.sim.kill(6);
  r.sim.run(30_000);
  assert.ok(r.captured.length > 50, `${r.captured.length} accusing packets recorded`);
}

/** Every recorded packet to every running agent, then time for whatever it causes. */
function replayAll(r: Run): string[] {
  const from = r.events.length;
  for (const c of r.captured) for (const i of r.sim.running()) r.sim.deliver(i, c.from, c.bytes);
  r.sim.run(30_000);
  return r.events.slice(from);
}

test('replays within the reap time are harmless: every accusation is outranked by the incarnation its target refuted with', () => {
  const r = cluster(8);
  accusations(r);
  // Both come back as fresh processes (incarnation 0, no data dir); their rows are still held,
  // so each learns of its old left/dead row on joining and refutes above it.
  r.sim.restart(5);
  r.sim.restart(6);
  assert.ok(
    r.sim.runUntil(() => r.sim.checkConverged(), 60_000),
    `seed ${SEED}`,
  );
  r.sim.run(40_000); // past any probation
  for (const i of [3, 5, 6]) assert.ok(r.sim.agent(i).core.currentIncarnation > 0, `n${i} refuted`);
  const after = replayAll(r);
  assert.deepEqual(after, [], `seed ${SEED}`);
  assert.ok(r.sim.checkConverged());
});

test('replays older than the window are dropped: after a member was forgotten and came back at incarnation 0, its old left and dead stay buried', () => {
  // Forgotten after 20 min (> the default 10-minute replay window), as the default 24 h.
  const r = cluster(8, { reapMs: 20 * 60_000 });
  accusations(r);
  const forgotten = (): boolean =>
    r.sim.running().every((i) => r.sim.agent(i).core.member('n5') === undefined && r.sim.agent(i).core.member('n6') === undefined);
  assert.ok(r.sim.runUntil(forgotten, 30 * 60_000, 10_000), `n5 and n6 still remembered (seed ${SEED})`);
  r.sim.restart(5);
  r.sim.restart(6);
  assert.ok(
    r.sim.runUntil(() => r.sim.checkConverged(), 60_000),
    `seed ${SEED}`,
  );
  // Nobody remembered them: they are back at incarnation 0, below their old left and dead.
  assert.equal(r.sim.agent(5).core.currentIncarnation, 0);
  assert.equal(r.sim.agent(6).core.currentIncarnation, 0);
  const after = replayAll(r);
  // Without a window the old `left n5@1` and `dead n6@0` win everywhere (n6 then waits out
  // flap damping's probation as failed): a healthy member taken out by one replayed packet.
  assert.deepEqual(after, [], `seed ${SEED}`);
  assert.ok(r.sim.checkConverged());
  assert.ok((r.sim.report().drops.stale ?? 0) >= r.captured.length, JSON.stringify(r.sim.report().drops));
});

test('clocks skewed within the window interoperate; an agent far outside cannot join and its packets are counted stale', () => {
  const minute = 60_000;
  // n0..n5 spread over 9 minutes (n0 4.5 min behind, n5 4.5 min ahead); n6 is 10.5 minutes
  // ahead of the nearest of them.
  const skew = (i: number): number => (i === 6 ? 15 * minute : (i - 2.5) * 1.8 * minute);
  const r = build(7, { skewMs: skew });
  const { sim } = r;
  sim.start(0);
  for (let i = 1; i < 6; i++) {
    sim.start(i);
    sim.join(i, [0]);
  }
  assert.ok(
    sim.runUntil(() => sim.checkConverged(), 30_000),
    `seed ${SEED}`,
  );
  sim.run(20_000);
  // report().drops holds the core's drops too (a join's 'unproven-address'): none may be the envelope's.
  const refused = Object.keys(sim.report().drops).filter((reason) => ['stale', 'auth', 'unknown-key', 'plaintext', 'label', 'decode'].includes(reason));
  assert.deepEqual(refused, [], `no packet refused within the window: ${JSON.stringify(sim.report().drops)}`);
  sim.start(6);
  sim.join(6, [0]);
  sim.run(40_000); // joins retry 5 times with doubling waits
  assert.deepEqual(
    sim.joinErrors.map((e) => e.agent),
    ['n6'],
  );
  assert.ok((sim.report().drops.stale ?? 0) > 0, JSON.stringify(sim.report().drops));
  for (let i = 0; i < 6; i++) assert.equal(sim.agent(i).core.member('n6'), undefined, `n${i} let n6 in`);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.equal(sim.view(i, j), 'alive', `n${i} sees n${j}`);
  assert.deepEqual(
    r.events.filter((e) => / (suspect|failed) /.test(e)),
    [],
    'the others are unaffected',
  );
});
