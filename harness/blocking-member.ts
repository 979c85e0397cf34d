/**
 * A database node stand-in, run as its own process: it starts an embedded Cluster (argv[2]: the
 * JSON of its ClusterStartConfig) and, on each stdin line `block MS`, blocks its main thread for
 * MS ms as a long synchronous task would. It answers on stdout with JSON lines carrying a
 * `blocker` field (other lines are the agent's logs):
 *   {"blocker":"ready","address","admin","startMs","rssMiB","heapMiB"}  once started and joined
 *   {"blocker":"unblocked","ms"}                                      after each block
 * `stats` prints {"blocker":"stats","stats":...}; `cost N` times N lookups (n = 3) and N picks
 * on this thread: {"blocker":"cost","lookupNs","pickNs"}; `leave` leaves and exits 0. Used by
 * test/embed/worker.test.ts and bench/isolate.ts (both start it through harness/blocker-client.ts).
 */
import { createInterface } from 'node:readline';
import { Cluster, type ClusterStartConfig } from '../src/cluster.js';

const say = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const config = JSON.parse(process.argv[2] ?? '{}') as ClusterStartConfig;
const t0 = performance.now();
const cluster = await Cluster.start(config);
const startMs = performance.now() - t0;
const mem = process.memoryUsage();
say({ blocker: 'ready', address: cluster.self()?.address, admin: cluster.adminAddress, startMs, rssMiB: mem.rss / 2 ** 20, heapMiB: mem.heapUsed / 2 ** 20 });

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'block') {
    const until = performance.now() + Number(arg);
    while (performance.now() < until) {
      // a long synchronous task: nothing else runs on this thread
    }
    say({ blocker: 'unblocked', ms: Number(arg) });
  } else if (cmd === 'stats') {
    void cluster.stats().then((stats) => say({ blocker: 'stats', stats }));
  } else if (cmd === 'cost') {
    say({ blocker: 'cost', ...cost(cluster, Number(arg)) });
  } else if (cmd === 'leave') {
    void cluster.leave().then(() => process.exit(0));
  }
});

/** Nanoseconds per lookup and per pick (+ done) on this thread, after a warm-up of the same size. */
function cost(c: Cluster, n: number): { lookupNs: number; pickNs: number } {
  const keys = Array.from({ length: 1024 }, (_, i) => `user:${i}`);
  let sink = 0;
  const time = (fn: (i: number) => void): number => {
    for (let i = 0; i < n; i++) fn(i);
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    return Number(process.hrtime.bigint() - t) / n;
  };
  const lookupNs = time((i) => void (sink += c.lookup(keys[i & 1023]!, 3).length));
  const pickNs = time(() => {
    const lease = c.balancer.pickOrThrow();
    sink += lease.member.name.length;
    lease.done({ ok: true, latencyMs: 1 });
  });
  if (sink === -1) say({ sink });
  return { lookupNs, pickNs };
}
