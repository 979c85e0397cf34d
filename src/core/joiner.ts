/**
 * Joining through seeds: a full-state push-pull to every seed, success when one replies, retries
 * with a doubling wait, then a clear error. The seeds are remembered: reconnect re-dials any
 * that is not alive in our table, so a cluster split at start-up still comes together.
 */
import type { ProtocolConfig } from '../config.js';
import type { Output } from './io.js';
import { joinAttemptTimeoutMs } from './timing.js';
import type { Address } from './types.js';

interface PendingJoin {
  readonly id: number;
  readonly seeds: readonly Address[];
  readonly startedAt: number;
  attempt: number;
  deadline: number;
}

export interface JoinerHost {
  readonly config: ProtocolConfig;
  /** Our own address: a seed list that names us is fine, we just skip ourselves. */
  readonly address: Address;
  /** Send our full state to a seed, flagged as a join. */
  pushTo(seed: Address): void;
  output(o: Output): void;
}

export class Joiner {
  private readonly pending: PendingJoin[] = [];
  private readonly known = new Set<Address>();

  constructor(private readonly host: JoinerHost) {}

  /** Every seed ever given to join, ourselves excluded. */
  get seeds(): ReadonlySet<Address> {
    return this.known;
  }

  /** The earliest retry deadline, or Infinity. */
  earliest(): number {
    let t = Infinity;
    for (const j of this.pending) t = Math.min(t, j.deadline);
    return t;
  }

  start(id: number, seeds: readonly Address[], now: number): void {
    const others = [...new Set(seeds)].filter((s) => s !== this.host.address);
    for (const s of others) this.known.add(s);
    if (others.length === 0) {
      this.host.output({ type: 'join-result', id, ok: true, contacted: 0 });
      return;
    }
    this.pending.push({ id, seeds: others, startedAt: now, attempt: 0, deadline: now + joinAttemptTimeoutMs(this.host.config.joinTimeoutMs, 0) });
    for (const s of others) this.host.pushTo(s);
  }

  /** Retry or give up on joins whose wait ran out. */
  advance(now: number): void {
    const c = this.host.config;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const j = this.pending[i]!;
      if (now < j.deadline) continue;
      j.attempt++;
      if (j.attempt >= c.joinAttempts) {
        this.pending.splice(i, 1);
        this.host.output({
          type: 'join-result',
          id: j.id,
          ok: false,
          error: `no seed answered (${j.seeds.join(', ')}) after ${j.attempt} attempts over ${Math.round(now - j.startedAt)}ms; check that the seeds run an agent with the same protocol and are reachable`,
        });
        continue;
      }
      j.deadline = now + joinAttemptTimeoutMs(c.joinTimeoutMs, j.attempt);
      this.host.output({ type: 'note', note: { kind: 'join-retry', attempt: j.attempt, seeds: j.seeds } });
      for (const s of j.seeds) this.host.pushTo(s);
    }
  }

  /** A push-pull reply came from `from`: every join that asked it succeeds. */
  answered(from: Address): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const j = this.pending[i]!;
      if (!j.seeds.includes(from)) continue;
      this.pending.splice(i, 1);
      this.host.output({ type: 'join-result', id: j.id, ok: true, contacted: 1 });
    }
  }

  /** Forget pending joins (we are leaving). */
  cancel(): void {
    this.pending.length = 0;
  }
}
