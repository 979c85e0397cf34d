/**
 * A member whose host blocks its main thread, as a real process (harness/blocking-member.ts),
 * beside an embedded Cluster here, fast settings: with its agent in a worker it is never
 * suspected, and while blocked its health tag keeps it out of our balancer's picks; with the
 * agent on the blocked loop it is suspected. Bounded by waits on events and output lines.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { Cluster, type ClusterStartConfig } from '../../src/cluster.js';
import type { MemberEvent } from '../../src/core/types.js';
import { spawnBlocker, type Blocker } from '../../harness/blocker-client.js';
import { FAST } from '../agent/helpers.js';

const children: ChildProcess[] = [];
const clusters: Cluster[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(clusters.map((c) => c.shutdown()));
});

function startBlocker(config: ClusterStartConfig): Blocker {
  const b = spawnBlocker(['--import', 'tsx', 'harness/blocking-member.ts'], config);
  children.push(b.child);
  return b;
}

/** Resolve once `pred()` holds, checked now and on each `type` event; reject after `ms`. */
function until(c: Cluster, type: 'join' | 'update' | 'suspect', pred: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within ${ms} ms`));
    }, ms);
    const check = (): void => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = c.on(type, check);
    check();
  });
}

const agent = (name: string) => ({ name, bind: '127.0.0.1:0', profile: 'local', protocol: FAST, logLevel: 'warn' });

async function scenario(isolate: 'worker' | 'none', blockMs: number): Promise<{ events: MemberEvent[]; picksOfBlocked: number; sawBusy: boolean }> {
  const here = await Cluster.start({ isolate: 'none', agent: agent(`here-${isolate}`), balancer: { algorithm: 'round-robin' } });
  clusters.push(here);
  const name = `db-${isolate}`;
  const b = startBlocker({ isolate, busyAfterMs: 300, join: [here.self()!.address], agent: agent(name) });
  await b.until(() => b.lines.some((l) => l.blocker === 'ready'), 20_000, 'the member started');
  const events: MemberEvent[] = [];
  let sawBusy = false;
  let picksOfBlocked = 0;
  await until(here, 'join', () => here.members().some((m) => m.name === name && m.state === 'alive'), 10_000, 'the member joined');
  for (const t of ['suspect', 'failed', 'update'] as const) {
    here.on(t, (e) => {
      if (e.member.name !== name) return;
      events.push(e);
      if (e.member.tags.health !== 'busy') return;
      sawBusy = true;
      // Routed around while busy: a hundred picks, none of them the blocked member.
      for (let i = 0; i < 100; i++) {
        const lease = here.balancer.pickOrThrow();
        if (lease.member.name === name) picksOfBlocked++;
        lease.done({ ok: true, latencyMs: 1 });
      }
    });
  }
  b.send(`block ${blockMs}`);
  await b.until(() => b.lines.some((l) => l.blocker === 'unblocked'), 10_000, 'the block ended');
  if (isolate === 'worker') {
    // Back in picks once its main thread ran steadily again (busyAfterMs).
    await until(here, 'update', () => here.members().find((m) => m.name === name)?.tags.health === undefined, 5000, 'the health tag cleared');
  } else {
    await until(here, 'suspect', () => events.some((e) => e.type === 'suspect'), 5000, 'the blocked member suspected');
  }
  b.send('leave');
  return { events, picksOfBlocked, sawBusy };
}

test('with its agent in a worker, a member whose main thread blocks 2.5 s is routed around, never suspected', { timeout: 40_000 }, async () => {
  const r = await scenario('worker', 2500);
  assert.deepEqual(
    r.events.filter((e) => e.type !== 'update').map((e) => e.type),
    [],
    'never suspected or failed',
  );
  assert.equal(r.sawBusy, true, 'its health tag said busy while blocked');
  assert.equal(r.picksOfBlocked, 0, 'no picks while busy');
});

// The control blocks longer than the worker case: on a loaded machine our own lag awareness
// stretches our probe timeouts (Lifeguard), and a 2.5 s block could then pass unnoticed, which
// would make the control say nothing. Twice the block shows the same point without that race.
test('with its agent on the blocked loop, a block gets it suspected', { timeout: 40_000 }, async () => {
  const r = await scenario('none', 5000);
  assert.ok(
    r.events.some((e) => e.type === 'suspect'),
    'suspected',
  );
  assert.equal(r.sawBusy, false, 'nobody could tell others it was busy');
});
