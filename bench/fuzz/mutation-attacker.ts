/**
 * The attacker of `npm run fuzz:mutate`, as its own process: reads a corpus of captured
 * datagrams (a JSON file of base64 strings), sends `packets` structure-aware mutations of them
 * (PacketMutator) to `target` over UDP at about `rate` per second from a port no member knows,
 * and prints how many it sent, by kind. Loopback only; bounded by `packets`.
 */
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { PacketMutator, type MutationKind } from '../../src/sim/mutator.js';
import { createCodec } from '../../src/wire/codec.js';
import { SeededRandom } from '../../src/runtime/random.js';

export interface MutationJob {
  target: { host: string; port: number };
  corpusFile: string;
  packets: number;
  rate: number;
  seed: number;
}

export async function mutationAttack(job: MutationJob): Promise<{ sent: number; byKind: Partial<Record<MutationKind, number>> }> {
  if (job.target.host !== '127.0.0.1') throw new Error('the fuzzer only attacks loopback');
  const corpus = (JSON.parse(readFileSync(job.corpusFile, 'utf8')) as string[]).map((b) => Uint8Array.from(Buffer.from(b, 'base64')));
  const mutator = new PacketMutator(corpus, createCodec(), new SeededRandom(job.seed));
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const byKind: Partial<Record<MutationKind, number>> = {};
  let sent = 0;
  const perTick = Math.max(1, Math.round(job.rate / 100));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && sent < job.packets; i++, sent++) {
        const { kind, bytes } = mutator.next();
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        sock.send(bytes, job.target.port, job.target.host);
      }
      if (sent >= job.packets) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await new Promise<void>((r) => sock.close(() => r()));
  return { sent, byKind };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const job = JSON.parse(process.argv[2] ?? '{}') as MutationJob;
  process.stdout.write(`${JSON.stringify(await mutationAttack(job))}\n`);
}
