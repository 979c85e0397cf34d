/** p2c's latency prior: the estimated RTT (network coordinates) until a member has samples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBalancer } from '../../src/balancer/index.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { Clock, member, names } from './helpers.js';

function firstPicks(prior: ((name: string) => number | undefined) | undefined, picks: number): Map<string, number> {
  const clock = new Clock();
  const lb = createBalancer({ algorithm: 'p2c' }, { random: new SeededRandom(5), now: clock.now, ...(prior ? { rttPriorMs: prior } : {}) });
  for (const name of names(4)) lb.apply({ type: 'join', member: member(name), previous: undefined });
  const counts = new Map<string, number>();
  const leases = [];
  // Requests still in flight: no member has a sample of its own yet, only the prior can steer.
  for (let i = 0; i < picks; i++) {
    const r = lb.pickOrThrow();
    counts.set(r.member.name, (counts.get(r.member.name) ?? 0) + 1);
    leases.push(r);
  }
  for (const r of leases) r.done({ ok: true, latencyMs: 5 });
  return counts;
}

// m0 is in our zone (1 ms), the others 20-80 ms away.
const rtt: Record<string, number> = { m0: 1, m1: 20, m2: 50, m3: 80 };

test('before any sample, p2c sends most first requests to the member estimated nearest', () => {
  const withPrior = firstPicks((n) => rtt[n], 40);
  const without = firstPicks(undefined, 40);
  const near = withPrior.get('m0') ?? 0;
  assert.ok(near >= 20, `near member got ${near} of 40 first picks with the prior`);
  assert.ok((without.get('m0') ?? 0) < near, `without the prior m0 got ${without.get('m0')}, with ${near}`);
  assert.ok((withPrior.get('m3') ?? 0) < (withPrior.get('m1') ?? 0) + 1, 'the farthest gets no more than the second nearest');
});

test('a member without a coordinate keeps initialLatencyMs; samples replace the prior', () => {
  const clock = new Clock();
  const lb = createBalancer(
    { algorithm: 'p2c', initialLatencyMs: 30 },
    { random: new SeededRandom(9), now: clock.now, rttPriorMs: (n) => (n === 'm0' ? 1 : undefined) },
  );
  for (const name of ['m0', 'm1']) lb.apply({ type: 'join', member: member(name), previous: undefined });
  // Prior: m0 1 ms vs m1 30 ms: m0 first.
  const a = lb.pickOrThrow();
  assert.equal(a.member.name, 'm0');
  // m0 answers slowly: its own sample (200 ms) now counts, not the prior, so m1 is preferred.
  a.done({ ok: true, latencyMs: 200 });
  const b = lb.pickOrThrow();
  assert.equal(b.member.name, 'm1');
  b.done({ ok: true, latencyMs: 5 });
});
