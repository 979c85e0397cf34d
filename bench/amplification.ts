/**
 * `npm run bench:amplification`: what a stranger gets back for what it sends. A converged
 * cluster of N agents; a stranger (an address no member has) sends each kind of request to one
 * seed, 20 times, and we add up the bytes the seed sends to the stranger's address. A ratio
 * above 1 means a forged source address turns the seed into an amplifier. Prints a table and
 * writes bench/results/amplification.json.
 *
 *   npm run bench:amplification                  # N = 4, 32, 128
 *   npm run bench:amplification -- --sizes 4,512
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/index.js';
import { createCodec } from '../src/wire/codec.js';
import * as M from '../src/core/messages.js';
import type { Address } from '../src/core/types.js';
import { stringOption } from '../harness/args.js';

const arg = stringOption;
const sizes = arg('sizes', '4,32,128').split(',').map(Number);
const codec = createCodec();
const stranger = '192.0.2.66:7946';

interface Row {
  n: number;
  request: string;
  bytesIn: number;
  bytesOut: number;
  ratio: number;
}
const rows: Row[] = [];
for (const n of sizes) {
  const log: { from: string; to: Address; bytes: Uint8Array }[] = [];
  const sim = new Simulation({ nodes: n, seed: 1, onSend: (from, to, bytes) => log.push({ from, to, bytes }) });
  sim.joinAll({ spreadMs: 2000 });
  if (!sim.runUntil(() => sim.checkConverged(), 120_000)) throw new Error(`N=${n} did not converge`);
  // A real join request, as captured on the wire: the last joiner's first datagram to the seed.
  const joiner = `n${n - 1}`;
  const captured = log.find((p) => p.from === joiner && p.to === sim.address(0) && decodesTo(p.bytes, M.MsgType.PushPull))!.bytes;
  const requests: [string, Uint8Array][] = [
    ['captured join request', captured],
    ['empty push-pull', codec.encode([M.pushPull('x', 0, 0, 1, [])])],
    ['digest', codec.encode([M.digest('x', 1, 1)])],
    ['ping', codec.encode([M.ping(1, 'n0', 'x', 0)])],
    ['ping-req for a member', codec.encode([M.pingReq(1, 'n1', sim.address(1), 'x')])],
  ];
  for (const [request, bytes] of requests) {
    const from = log.length;
    for (let k = 0; k < 20; k++) {
      sim.agent(0).receive(stranger, bytes);
      sim.run(20);
    }
    const out = log
      .slice(from)
      .filter((p) => p.to === stranger)
      .reduce((s, p) => s + p.bytes.length, 0);
    const bytesIn = 20 * bytes.length;
    rows.push({ n, request, bytesIn, bytesOut: out, ratio: Math.round((out / bytesIn) * 100) / 100 });
  }
}

function decodesTo(bytes: Uint8Array, type: number): boolean {
  const r = codec.decode(bytes);
  return r.ok && r.value.some((m) => m.type === type);
}

console.log('| N | request (20×) | bytes in | bytes out | out / in |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.n} | ${r.request} | ${r.bytesIn} | ${r.bytesOut} | ${r.ratio} |`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/amplification.json', import.meta.url), JSON.stringify({ sizes, rows }, null, 2));
