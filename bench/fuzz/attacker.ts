/**
 * The attacker of `npm run fuzz`, run as its own process (its own heap and event loop, so it
 * neither slows nor inflates the agents it attacks). `attack` sends `packets` datagrams to `target` over UDP at
 * about `rate` per second, then `connections` junk TCP connections to `tcpTarget`, and posts
 * its counts back. Loopback only.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { createCodec } from '../../src/wire/codec.js';
import { createSecureCodec } from '../../src/wire/secure.js';
import { Keyring } from '../../src/wire/keyring.js';
import { SeededRandom } from '../../src/runtime/random.js';
import * as M from '../../src/core/messages.js';

export interface Job {
  target: { host: string; port: number };
  tcpTarget: { host: string; port: number };
  packets: number;
  rate: number;
  connections: number;
  key: string;
  label: string;
  seed: number;
}
/** Run the whole attack; resolves with what was sent. */
export async function attack(job: Job): Promise<{ sent: number; opened: number; refused: number }> {
  if (job.target.host !== '127.0.0.1' || job.tcpTarget.host !== '127.0.0.1') throw new Error('the fuzzer only attacks loopback');

  const rnd = new SeededRandom(job.seed);
  // A pool of random bytes drawn once: slicing it costs nothing, so the attacker's own CPU does
  // not decide the rate (drawing a million packets byte by byte takes minutes).
  const pool = Buffer.alloc(1 << 20);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(Math.floor(rnd.next() * 0x100000000) >>> 0, i);
  const bytes = (n: number): Uint8Array => {
    const at = rnd.int(pool.length - n);
    return pool.subarray(at, at + n);
  };
  const plain = createCodec();
  // An outsider's plaintext, and an insider's sealed packets (right key and label) to mutate.
  const valid = [M.ping(1, 'f1', 'f0', 5), M.alive('f2', '127.0.0.1:1', 3, ['zone', 'a']), M.pushPull('f0', 2, 0, 1, [M.entry('f3', '127.0.0.1:2', 0, 1, [])])];
  const plainPackets = valid.map((m) => plain.encode([m]));
  const insider = createSecureCodec(plain, { keyring: new Keyring([job.key]), label: job.label });
  const sealedPackets = valid.map((m) => insider.encode([m]));
  const labelFrame = Buffer.concat([Buffer.from([0xf4, Buffer.byteLength(job.label)]), Buffer.from(job.label)]);

  function mutate(src: Uint8Array): Uint8Array {
    const b = Buffer.from(src);
    const flips = 1 + rnd.int(4);
    for (let i = 0; i < flips; i++) b[rnd.int(b.length)]! ^= 1 << rnd.int(8);
    return rnd.int(4) === 0 ? b.subarray(0, rnd.int(b.length)) : b;
  }

  function packet(i: number): Uint8Array {
    switch (i % 6) {
      case 0:
        return bytes(rnd.int(1400));
      case 1:
        return Buffer.concat([labelFrame, bytes(rnd.int(1400))]);
      case 2:
        return mutate(plainPackets[rnd.int(plainPackets.length)]!);
      case 3:
        return mutate(sealedPackets[rnd.int(sealedPackets.length)]!);
      case 4: // huge declared lengths and deep nesting, in clear
        return rnd.int(2) === 0 ? Uint8Array.from([1, 0xdd, 0xff, 0xff, 0xff, 0xff, 1]) : Uint8Array.from([1, ...new Array<number>(2000).fill(0x91), 1]);
      default: // a seal header with a random key id
        return Buffer.concat([labelFrame, Buffer.from([0xe5, 0]), bytes(16 + rnd.int(200))]);
    }
  }

  async function flood(): Promise<number> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    let sent = 0;
    const batch = Math.max(1, Math.round(job.rate / 100)); // 100 batches a second
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let k = 0; k < batch && sent < job.packets; k++, sent++) sock.send(packet(sent), job.target.port, job.target.host);
        if (sent >= job.packets) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await new Promise<void>((r) => sock.close(() => r()));
    return sent;
  }

  async function junkConnections(): Promise<{ opened: number; refused: number }> {
    let opened = 0;
    let refused = 0;
    const one = (i: number): Promise<void> =>
      new Promise((resolve) => {
        const s = connect(job.tcpTarget.port, job.tcpTarget.host);
        const done = (): void => {
          clearTimeout(guard);
          s.destroy();
          resolve();
        };
        // A ref'd timer, not s.setTimeout: a half-closed socket does not keep the process alive,
        // and each connection must end by itself within 3 s whatever the server does.
        const guard = setTimeout(done, 3000);
        s.on('error', () => {
          refused++;
          done();
        });
        s.on('close', done);
        s.on('connect', () => {
          opened++;
          const kind = i % 4;
          if (kind === 0) s.end(bytes(1 + rnd.int(4000)));
          else if (kind === 1) s.end(`POST /v1/tags HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n${'a'.repeat(70_000)}`);
          else if (kind === 2)
            s.write('GET /v1/members HTTP/1.1\r\nHost: x\r\n'); // never finishes its headers
          else s.end('POST /v1/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"addrs":');
        });
      });
    for (let i = 0; i < job.connections; i += 50) await Promise.all(Array.from({ length: Math.min(50, job.connections - i) }, (_, k) => one(i + k)));
    return { opened, refused };
  }

  const sent = await flood();
  const tcp = await junkConnections();
  return { sent, ...tcp };
}

// Run as a process: `node --import tsx bench/fuzz/attacker.ts '<job json>'` prints the counts.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  process.stdout.write(`${JSON.stringify(await attack(job))}\n`);
}
