/** Event-loop lag as local health: the monitor sees a blocked loop, and the core counts it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopLagMonitor } from '../../src/agent/loop-lag.js';
import { Driver } from '../../src/agent/driver.js';
import { Swim } from '../../src/core/swim.js';
import { lan, plainSwim, resolveConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

test('the monitor reports a window in which the loop was blocked', { timeout: 10_000 }, async () => {
  const samples: number[] = [];
  const monitor = new LoopLagMonitor(200, (ms) => samples.push(ms));
  try {
    await new Promise<void>((r) =>
      setTimeout(() => {
        const until = performance.now() + 450;
        while (performance.now() < until) {
          // Busy on purpose: this is the stall being measured.
        }
        r();
      }, 50),
    );
    await new Promise((r) => setTimeout(r, 900));
    assert.ok(Math.max(...samples) >= 250, `worst sample ${Math.max(...samples)} ms after a 450 ms block`);
  } finally {
    monitor.stop();
  }
});

test('a lag report over half the probe timeout raises awareness, unless lagAwareness is off', () => {
  const codec = createCodec();
  const make = (config = lan) => new Swim({ name: 'a', address: 'a', config }, { random: new SeededRandom(1), sizeOf: codec.sizeOf }, 0);
  const on = make();
  on.step({ type: 'lag', lagMs: 100 }, 10);
  assert.equal(on.counters().awareness, 0, 'a small delay is normal');
  on.step({ type: 'lag', lagMs: 400 }, 20);
  assert.deepEqual([on.counters().awareness, on.counters().lagSpikes], [1, 1]);
  const off = make(resolveConfig({ ...plainSwim, lifeguardAwareness: true }));
  off.step({ type: 'lag', lagMs: 400 }, 20);
  assert.equal(off.counters().awareness, 0);
});

test('a flood of refused datagrams counts against our own health, once per probe interval', () => {
  let now = 0;
  let wakeFn: (() => void) | undefined;
  const driver = new Driver(
    { name: 'a', config: lan },
    {
      transport: { address: '127.0.0.1:7946', send: () => {}, onPacket: () => {}, close: async () => {} },
      scheduler: { now: () => now, wakeAt: (_t, fn) => void (wakeFn = fn), cancel: () => {} },
      random: new SeededRandom(1),
      codec: createCodec(),
    },
  );
  void wakeFn;
  const garbage = Uint8Array.from([1, 0xc1, 0xc1]);
  for (let i = 0; i < 199; i++) driver.receive('x', garbage);
  assert.equal(driver.core.counters().floods, 0, 'a few bad packets are normal');
  for (let i = 0; i < 1000; i++) driver.receive('x', garbage);
  assert.deepEqual([driver.core.counters().floods, driver.core.counters().awareness], [1, 1]);
  now = lan.probeIntervalMs + 1;
  for (let i = 0; i < 300; i++) driver.receive('x', garbage);
  assert.equal(driver.core.counters().floods, 2, 'the next interval counts again');
});
