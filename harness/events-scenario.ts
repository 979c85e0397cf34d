/**
 * User-event scenarios on the simulator (virtual time), shared by `bench/events.ts` and the
 * small versions in test/sim/user-events.test.ts.
 *
 * - storm: N agents, `ratePerSec` user events from random survivors for `seconds`, while `kills`
 *   agents crash one after another. Detection times (from the simulator's tracker) and, for
 *   every event, which live agents delivered it and when the last one did.
 * - spread: one event and one tag change every 2 s, side by side, so event delivery is measured
 *   against membership dissemination in the same run (same loss, same load).
 */
import type { ProtocolConfig } from '../src/config.js';
import { Simulation } from '../src/sim/index.js';
import { SeededRandom } from '../src/runtime/random.js';

export interface StormOptions {
  nodes: number;
  seed: number;
  ratePerSec: number;
  seconds: number;
  kills: number;
  loss?: number;
  payloadBytes?: number;
  /** Virtual ms after the last event before delivery is judged. */
  drainMs?: number;
  config?: Partial<ProtocolConfig>;
}

export interface StormRun {
  nodes: number;
  ratePerSec: number;
  events: number;
  /** Per killed agent, ms from its crash until the first / every live agent declared it dead (null: never). */
  firstDeadMs: (number | null)[];
  allDeadMs: (number | null)[];
  falsePositives: number;
  /** (event, live agent) pairs delivered at the end, of all such pairs. */
  deliveredShare: number;
  /** Events every live agent delivered. */
  eventsEverywhere: number;
  /** Per event delivered everywhere: ms from send until the last live agent delivered it. */
  allHaveMs: number[];
  bytesPerNodePerSec: number;
  wallMs: number;
}

const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
export { quantile };

/** Tracks deliveries of named events `e<i>` by agent index: one bit per (event, agent). */
class Deliveries {
  readonly sentAt: number[] = [];
  private readonly bits: Uint8Array[] = [];
  private readonly lastAt: number[] = [];
  constructor(private readonly nodes: number) {}
  sent(i: number, at: number): void {
    this.sentAt[i] = at;
    this.bits[i] = new Uint8Array(this.nodes);
    this.lastAt[i] = at;
  }
  delivered(i: number, agent: number, at: number): void {
    const b = this.bits[i];
    if (!b) return;
    b[agent] = 1;
    if (at > this.lastAt[i]!) this.lastAt[i] = at;
  }
  judge(live: readonly number[]): { share: number; everywhere: number; allHaveMs: number[] } {
    let pairs = 0;
    let got = 0;
    let everywhere = 0;
    const allHaveMs: number[] = [];
    for (let i = 0; i < this.bits.length; i++) {
      const b = this.bits[i]!;
      let n = 0;
      for (const a of live) n += b[a]!;
      pairs += live.length;
      got += n;
      if (n === live.length) {
        everywhere++;
        allHaveMs.push(this.lastAt[i]! - this.sentAt[i]!);
      }
    }
    return { share: pairs === 0 ? 1 : got / pairs, everywhere, allHaveMs };
  }
}

const indexOf = (name: string): number => Number(name.slice(1));

export function runStorm(o: StormOptions): StormRun {
  const started = performance.now();
  const sim = new Simulation({ nodes: o.nodes, seed: o.seed, loss: o.loss ?? 0, ...(o.config ? { config: o.config } : {}) });
  sim.joinAll();
  if (sim.runUntilConverged(180_000) === null) throw new Error(`${o.nodes} agents did not converge`);
  sim.markSteady();
  const rng = new SeededRandom(o.seed * 7 + 1);
  const killed = new Set<number>();
  while (killed.size < o.kills) killed.add(1 + rng.int(o.nodes - 1));
  const senders = Array.from({ length: o.nodes }, (_, i) => i).filter((i) => !killed.has(i));
  const total = Math.round(o.ratePerSec * o.seconds);
  const deliveries = new Deliveries(o.nodes);
  sim.onUserEvent((observer, e, now) => deliveries.delivered(Number(e.name.slice(1)), indexOf(observer), now));
  const t0 = sim.now;
  const payload = new Uint8Array(o.payloadBytes ?? 32).fill(0x61);
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / o.ratePerSec;
    const from = senders[rng.int(senders.length)]!;
    sim.at(at, () => {
      deliveries.sent(i, sim.now);
      sim.agent(from).event(`e${i}`, payload);
    });
  }
  // Crashes spread over the storm, the first after a sixth of it.
  [...killed].forEach((k, j) => sim.at(t0 + ((j + 1) * o.seconds * 1000) / (o.kills + 1), () => sim.kill(k)));
  sim.run(o.seconds * 1000 + (o.drainMs ?? 30_000));
  const report = sim.report();
  const judged = deliveries.judge(sim.running());
  return {
    nodes: o.nodes,
    ratePerSec: o.ratePerSec,
    events: total,
    firstDeadMs: [...killed].map((k) => report.detection.find((d) => d.node === sim.name(k))?.firstDeadMs ?? null),
    allDeadMs: [...killed].map((k) => report.detection.find((d) => d.node === sim.name(k))?.allDeadMs ?? null),
    falsePositives: report.falsePositives,
    deliveredShare: judged.share,
    eventsEverywhere: judged.everywhere,
    allHaveMs: judged.allHaveMs,
    bytesPerNodePerSec: report.bytesPerNodePerSec,
    wallMs: performance.now() - started,
  };
}

export interface SpreadOptions {
  nodes: number;
  seed: number;
  loss: number;
  /** Events (and as many tag changes) sent, one of each every 2 s. */
  count: number;
  config?: Partial<ProtocolConfig>;
}

export interface SpreadRun {
  nodes: number;
  loss: number;
  /** ms until every live agent had each event / each tag change (missing ones are left out). */
  eventAllHaveMs: number[];
  tagAllHaveMs: number[];
  /** (event, agent) pairs delivered at the end (30 s after the last), of all. */
  deliveredShare: number;
  /** Of all (event, agent) pairs, those delivered within 2 × the median membership dissemination time. */
  withinTwiceMembership: number;
  wallMs: number;
}

export function runSpread(o: SpreadOptions): SpreadRun {
  const started = performance.now();
  const sim = new Simulation({ nodes: o.nodes, seed: o.seed, loss: o.loss, ...(o.config ? { config: o.config } : {}) });
  sim.joinAll();
  if (sim.runUntilConverged(180_000) === null) throw new Error(`${o.nodes} agents did not converge`);
  const rng = new SeededRandom(o.seed * 13 + 5);
  const deliveries = new Deliveries(o.nodes);
  const perAgent: number[][] = []; // event i: delivery ms per agent
  sim.onUserEvent((observer, e, now) => {
    const i = Number(e.name.slice(1));
    deliveries.delivered(i, indexOf(observer), now);
    (perAgent[i] ??= []).push(now - deliveries.sentAt[i]!);
  });
  // A tag change of agent k spreads as an `alive` with a new incarnation: membership news.
  const tagWatch = new Map<string, { incarnation: number; sentAt: number; seen: Set<string>; lastAt: number }>();
  sim.onEvent((observer, e, now) => {
    const w = tagWatch.get(e.member.name);
    if (w && e.type === 'update' && e.member.incarnation >= w.incarnation && !w.seen.has(observer)) {
      w.seen.add(observer);
      w.lastAt = now;
    }
  });
  const tagTimes: number[] = [];
  const t0 = sim.now;
  const payload = new Uint8Array(32).fill(0x62);
  for (let i = 0; i < o.count; i++) {
    const from = rng.int(o.nodes);
    const tagger = rng.int(o.nodes);
    sim.at(t0 + i * 2000, () => {
      deliveries.sent(i, sim.now);
      sim.agent(from).event(`e${i}`, payload);
      const name = sim.name(tagger);
      const prev = tagWatch.get(name);
      if (prev && prev.seen.size === o.nodes - 1) tagTimes.push(prev.lastAt - prev.sentAt);
      const driver = sim.agent(tagger);
      driver.setTags({ round: String(i) });
      tagWatch.set(name, { incarnation: driver.core.currentIncarnation, sentAt: sim.now, seen: new Set(), lastAt: sim.now });
    });
  }
  sim.run(o.count * 2000 + 30_000);
  for (const w of tagWatch.values()) if (w.seen.size === o.nodes - 1) tagTimes.push(w.lastAt - w.sentAt);
  const judged = deliveries.judge(sim.running());
  const limit = 2 * median(tagTimes);
  let within = 0;
  for (const xs of perAgent) for (const ms of xs ?? []) if (ms <= limit) within++;
  return {
    nodes: o.nodes,
    loss: o.loss,
    eventAllHaveMs: judged.allHaveMs,
    tagAllHaveMs: tagTimes,
    deliveredShare: judged.share,
    withinTwiceMembership: within / (o.count * o.nodes),
    wallMs: performance.now() - started,
  };
}

export interface QueryOptions {
  nodes: number;
  seed: number;
  loss: number;
  relay: number;
  /** Queries asked, one every 10 s, each from another random agent. */
  count: number;
  config?: Partial<ProtocolConfig>;
}

export interface QueryRun {
  nodes: number;
  loss: number;
  relay: number;
  /** Of every (query, live agent) pair: acks and responses the asker got before its timeout. */
  ackShare: number;
  responseShare: number;
  /** The default timeout the asker used (ms), and when the last answer came (median over queries). */
  timeoutMs: number;
  lastAnswerMs: number[];
  wallMs: number;
}

/** Every agent answers every query with its name; the asker counts what arrives before its timeout. */
export function runQueries(o: QueryOptions): QueryRun {
  const started = performance.now();
  const sim = new Simulation({ nodes: o.nodes, seed: o.seed, loss: o.loss, ...(o.config ? { config: o.config } : {}) });
  sim.joinAll();
  if (sim.runUntilConverged(180_000) === null) throw new Error(`${o.nodes} agents did not converge`);
  sim.answerQueries((observer) => new TextEncoder().encode(observer));
  const rng = new SeededRandom(o.seed * 31 + 7);
  let acks = 0;
  let responses = 0;
  let timeoutMs = 0;
  const lastAnswerMs: number[] = [];
  for (let i = 0; i < o.count; i++) {
    const start = sim.now;
    let last = 0;
    sim.agent(rng.int(o.nodes)).query(
      { name: 'who', payload: new Uint8Array(0), nodes: [], tags: [], ack: true, relay: o.relay, timeoutMs: 0 },
      {
        answer: (kind) => {
          if (kind === 'ack') acks++;
          else responses++;
          last = sim.now - start;
        },
        done: (t) => void (timeoutMs = t),
      },
    );
    sim.run(Math.max(10_000, timeoutMs + 1000));
    lastAnswerMs.push(last);
  }
  const pairs = o.count * o.nodes;
  return {
    nodes: o.nodes,
    loss: o.loss,
    relay: o.relay,
    ackShare: acks / pairs,
    responseShare: responses / pairs,
    timeoutMs,
    lastAnswerMs,
    wallMs: performance.now() - started,
  };
}
