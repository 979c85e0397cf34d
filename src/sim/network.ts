/**
 * The simulated network between agents: per-link latency with jitter, loss, one-way and two-way
 * partitions, and links that flap on and off. Rules apply to traffic from one set of agents to
 * another; the last matching rule that sets a value wins.
 */
import type { Random } from '../core/types.js';

export interface LinkSettings {
  /** Drop probability in [0, 1]. */
  loss?: number;
  /** Mean one-way delay (ms). */
  latencyMs?: number;
  /** Delay varies uniformly by ± this much (ms). */
  jitterMs?: number;
}

/** Agents a rule covers: a membership mask, or 'all' (agents added later included). */
type AgentSet = Uint8Array | 'all';

interface Rule extends LinkSettings {
  readonly from: AgentSet;
  readonly to: AgentSet;
  readonly blocked: boolean;
  /** When set, the rule blocks only in alternate periods of this length, starting at `since`. */
  readonly flapPeriodMs?: number;
  readonly since: number;
  readonly kind: 'partition' | 'link' | 'flap';
}

export class SimNetwork {
  private rules: Rule[] = [];

  constructor(
    private size: number,
    private readonly base: Required<LinkSettings>,
    private readonly random: Random,
  ) {}

  /** Agents added while running: rules made before cover them only if made for 'all'. */
  grow(size: number): void {
    this.size = Math.max(this.size, size);
  }

  private set(indices: readonly number[] | 'all'): AgentSet {
    if (indices === 'all') return 'all';
    const s = new Uint8Array(this.size);
    for (const i of indices) if (i >= 0 && i < this.size) s[i] = 1;
    return s;
  }

  /** Block traffic between the groups (or only from groups[0] to the rest when oneWay). */
  partition(groups: readonly (readonly number[])[], oneWay: boolean, now: number): void {
    for (let g = 0; g < groups.length; g++) {
      for (let h = 0; h < groups.length; h++) {
        if (g === h || (oneWay && g !== 0)) continue;
        this.rules.push({ from: this.set(groups[g]!), to: this.set(groups[h]!), blocked: true, since: now, kind: 'partition' });
      }
    }
  }

  /** Remove every partition and flap; link settings stay. */
  heal(): void {
    this.rules = this.rules.filter((r) => r.kind === 'link');
  }

  link(from: readonly number[] | 'all', to: readonly number[] | 'all', settings: LinkSettings, now: number): void {
    this.rules.push({ ...settings, from: this.set(from), to: this.set(to), blocked: false, since: now, kind: 'link' });
  }

  /** Cut traffic from -> to for periodMs, restore it for periodMs, and so on until healed. */
  flap(from: readonly number[] | 'all', to: readonly number[] | 'all', periodMs: number, now: number): void {
    this.rules.push({ from: this.set(from), to: this.set(to), blocked: true, flapPeriodMs: periodMs, since: now, kind: 'flap' });
  }

  /** The delay of one datagram (ms), or undefined when it is lost. Draws from the seeded PRNG. */
  delivery(from: number, to: number, now: number): number | undefined {
    let { loss, latencyMs, jitterMs } = this.base;
    for (const r of this.rules) {
      if (!covers(r.from, from) || !covers(r.to, to)) continue;
      if (r.blocked) {
        if (r.flapPeriodMs === undefined) return undefined;
        if (Math.floor((now - r.since) / r.flapPeriodMs) % 2 === 0) return undefined;
        continue;
      }
      if (r.loss !== undefined) loss = r.loss;
      if (r.latencyMs !== undefined) latencyMs = r.latencyMs;
      if (r.jitterMs !== undefined) jitterMs = r.jitterMs;
    }
    if (loss > 0 && this.random.next() < loss) return undefined;
    const jitter = jitterMs > 0 ? (this.random.next() * 2 - 1) * jitterMs : 0;
    return Math.max(0, latencyMs + jitter);
  }
}

function covers(set: AgentSet, i: number): boolean {
  return set === 'all' || set[i] === 1;
}
