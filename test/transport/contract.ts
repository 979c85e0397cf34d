/**
 * The transport contract: what the agent relies on from any network. Every transport (UDP over
 * IPv4 and IPv6, the simulator's) passes this same suite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transport } from '../../src/transport/transport.js';

/** Makes a fresh endpoint; `unreachable()` is an address nobody listens on. */
export interface TransportFactory {
  create(): Promise<Transport>;
  unreachable(): string;
}

/** Wait for `n` datagrams at `t`, or fail after `ms`. */
export function collect(t: Transport, n: number, ms = 2000): Promise<{ from: string; bytes: Uint8Array }[]> {
  const got: { from: string; bytes: Uint8Array }[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} datagrams within ${ms} ms`)), ms);
    t.onPacket((from, bytes) => {
      got.push({ from, bytes: Uint8Array.prototype.slice.call(bytes) });
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

export function transportContract(label: string, f: TransportFactory): void {
  const pair = async (): Promise<[Transport, Transport, () => Promise<void>]> => {
    const a = await f.create();
    const b = await f.create();
    return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
  };

  test(`${label}: a datagram arrives intact, with the sender's advertised address`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      assert.notEqual(a.address, b.address);
      const wait = collect(b, 1);
      a.send(b.address, new Uint8Array([1, 2, 3, 250]));
      const [got] = await wait;
      assert.equal(got!.from, a.address);
      assert.deepEqual([...got!.bytes], [1, 2, 3, 250]);
    } finally {
      await done();
    }
  });

  test(`${label}: replies reach the address a datagram came from`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      const atA = collect(a, 1);
      b.onPacket((from, bytes) => b.send(from, bytes));
      a.send(b.address, new Uint8Array([9]));
      const [echo] = await atA;
      assert.equal(echo!.from, b.address);
    } finally {
      await done();
    }
  });

  test(`${label}: the sender may reuse its buffer at once`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      const wait = collect(b, 1);
      const buf = new Uint8Array([7, 7, 7]);
      a.send(b.address, buf);
      buf.fill(0);
      const [got] = await wait;
      assert.deepEqual([...got!.bytes], [7, 7, 7]);
    } finally {
      await done();
    }
  });

  test(`${label}: a full packet budget and a 8 KiB push-pull datagram both arrive`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      const wait = collect(b, 2);
      a.send(b.address, new Uint8Array(1400).fill(1));
      a.send(b.address, new Uint8Array(8192).fill(2));
      const got = await wait;
      assert.deepEqual(
        got.map((g) => g.bytes.length).sort((x, y) => x - y),
        [1400, 8192],
      );
    } finally {
      await done();
    }
  });

  test(`${label}: a burst of 200 datagrams on loopback all arrive`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      const wait = collect(b, 200);
      for (let i = 0; i < 200; i++) a.send(b.address, new Uint8Array([i & 0xff, i >> 8]));
      const got = await wait;
      const seen = new Set(got.map((g) => g.bytes[0]! | (g.bytes[1]! << 8)));
      assert.equal(seen.size, 200);
    } finally {
      await done();
    }
  });

  test(`${label}: sending to nobody, to garbage, and after close never throws; the endpoint keeps working`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      for (const to of [f.unreachable(), 'not an address', '']) assert.doesNotThrow(() => a.send(to, new Uint8Array([1])), `send to ${JSON.stringify(to)}`);
      // The failed sends (and any ICMP error they bring back) leave the endpoint usable.
      const first = collect(b, 1);
      a.send(b.address, new Uint8Array([2]));
      assert.deepEqual([...(await first)[0]!.bytes], [2]);
      await a.close();
      assert.doesNotThrow(() => a.send(b.address, new Uint8Array([3])), 'send after close');
      // Nothing left a closed endpoint: the next datagram b hears is a third endpoint's, sent after.
      const c = await f.create();
      try {
        const next = collect(b, 1);
        c.send(b.address, new Uint8Array([4]));
        const [got] = await next;
        assert.equal(got!.from, c.address);
        assert.deepEqual([...got!.bytes], [4]);
      } finally {
        await c.close();
      }
    } finally {
      await done();
    }
  });

  test(`${label}: a closed endpoint hears nothing more; close is idempotent`, { timeout: 5000 }, async () => {
    const [a, b, done] = await pair();
    try {
      let heard = 0;
      b.onPacket(() => heard++);
      await b.close();
      await b.close();
      a.send(b.address, new Uint8Array([1]));
      // A sentinel on a third endpoint shows the datagram had time to arrive.
      const c = await f.create();
      const wait = collect(c, 1);
      a.send(c.address, new Uint8Array([2]));
      await wait;
      await c.close();
      assert.equal(heard, 0);
    } finally {
      await done();
    }
  });
}
