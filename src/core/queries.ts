/**
 * Queries (as Serf's): asked of the whole cluster by gossip, answered straight to the asker.
 *
 * The asker stamps a query with its query clock and its own id, gossips it like a user event
 * and waits `timeout` ms. Every member that takes it relays it once (a recent-query buffer drops
 * the copies), evaluates its filters (named nodes, tag patterns) and, when they pass, acks at once
 * if asked and hands the query to the host, whose answer goes to the asker, plus `relay` copies
 * through random members so one lost datagram does not lose the answer. The asker keeps one ack
 * and one response per member, and nothing after the timeout.
 */
import type { ProtocolConfig } from '../config.js';
import type { IncomingQuery, Output, QueryRequest } from './io.js';
import * as M from './messages.js';
import { retransmitLimit } from './timing.js';
import type { Address, Tags } from './types.js';
import { RecentEvents } from './user-events.js';

export interface QueryDeps {
  readonly name: string;
  readonly address: Address;
  readonly config: ProtocolConfig;
  liveCount(): number;
  ownTags(): Tags;
  /** Is `addr` the address of a live member? Answers are forwarded only there. */
  isLiveAddress(addr: Address): boolean;
  /** Up to k addresses of random live members other than us. */
  relayPeers(k: number): Address[];
  send(to: Address, m: M.Message): void;
  /** Gossip the query on. */
  spread(m: M.Query): void;
  output(o: Output): void;
}

export interface QueryCounters {
  queriesAsked: number;
  queriesReceived: number;
  queryDuplicates: number;
  queryAnswersDropped: number;
}

interface Asked {
  readonly ltime: number;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly seen: Set<string>;
}

interface Answering {
  readonly query: M.Query;
  readonly deadline: number;
  answered: boolean;
}

/** Answering records kept at most; older ones are swept when over. */
const MAX_ANSWERING = 4096;

/** The query's flat filter list (see M.Query). */
export function filtersToWire(r: Pick<QueryRequest, 'nodes' | 'tags'>): string[] {
  const out: string[] = [];
  for (const n of r.nodes) out.push('n', n);
  for (const t of r.tags) out.push('t', t.key, t.pattern);
  return out;
}

/** Does a member named `name` with `tags` pass the filters? A pattern that does not compile matches nothing. */
export function passesFilters(filters: readonly string[], name: string, tags: Tags): boolean {
  let named = false;
  let nameListed = false;
  for (let i = 0; i < filters.length; ) {
    if (filters[i] === 'n') {
      named = true;
      if (filters[i + 1] === name) nameListed = true;
      i += 2;
      continue;
    }
    const key = filters[i + 1]!;
    const value = Object.hasOwn(tags, key) ? tags[key] : undefined;
    if (value === undefined) return false;
    let re: RegExp;
    try {
      re = new RegExp(filters[i + 2]!, 'u');
    } catch {
      return false;
    }
    if (!re.test(value)) return false;
    i += 3;
  }
  return !named || nameListed;
}

export class Queries {
  private readonly recent: RecentEvents;
  private readonly asked = new Map<number, Asked>();
  private readonly answering = new Map<string, Answering>();
  readonly counts: QueryCounters = { queriesAsked: 0, queriesReceived: 0, queryDuplicates: 0, queryAnswersDropped: 0 };

  constructor(private readonly d: QueryDeps) {
    this.recent = new RecentEvents(d.config.userEventBuffer);
  }

  /** The default timeout for a cluster of `n` live members (ms). */
  defaultTimeoutMs(): number {
    const c = this.d.config;
    return c.gossipIntervalMs * retransmitLimit(c.queryTimeoutMult, this.d.liveCount());
  }

  /** When the next query of ours times out. */
  earliest(): number {
    let t = Infinity;
    for (const a of this.asked.values()) if (a.deadline < t) t = a.deadline;
    return t;
  }

  ask(id: number, r: QueryRequest, now: number): void {
    const timeoutMs = r.timeoutMs > 0 ? r.timeoutMs : this.defaultTimeoutMs();
    const m = M.query(
      this.recent.clock.next(),
      id,
      this.d.name,
      this.d.address,
      r.name,
      r.payload,
      r.ack ? M.QueryFlag.ack : 0,
      r.relay,
      timeoutMs,
      filtersToWire(r),
    );
    this.counts.queriesAsked++;
    this.asked.set(id, { ltime: m.ltime, deadline: now + timeoutMs, timeoutMs, seen: new Set() });
    this.receive(m, now);
  }

  /** Time out our queries whose deadline passed, and forget queries too late to answer. */
  expire(now: number): void {
    for (const [id, a] of this.asked) {
      if (a.deadline > now) continue;
      this.asked.delete(id);
      this.d.output({ type: 'query-done', id, timeoutMs: a.timeoutMs });
    }
    if (this.answering.size > MAX_ANSWERING) for (const [k, a] of this.answering) if (a.deadline < now) this.answering.delete(k);
  }

  /** We stop: every query of ours is done. */
  stop(): void {
    for (const [id, a] of this.asked) this.d.output({ type: 'query-done', id, timeoutMs: a.timeoutMs });
    this.asked.clear();
  }

  receive(m: M.Query, now: number): void {
    // Dedupe by the asker and its id: two askers may stamp the same Lamport time.
    const verdict = this.recent.accept({ ltime: m.ltime, name: `${m.from}/${m.id}`, payload: EMPTY });
    if (verdict !== 'new') {
      this.counts.queryDuplicates++;
      return;
    }
    this.counts.queriesReceived++;
    this.d.spread(m);
    if (!passesFilters(m.filters, this.d.name, this.d.ownTags())) return;
    if (m.flags & M.QueryFlag.ack) this.answer(m, M.QueryFlag.ack, EMPTY, now);
    const key = `${m.from}/${m.id}/${m.ltime}`;
    const deadline = now + m.timeout;
    this.answering.set(key, { query: m, deadline, answered: false });
    const q: IncomingQuery = { key, name: m.name, payload: m.payload, from: m.from, ltime: m.ltime, deadline };
    this.d.output({ type: 'query', query: q });
  }

  /** The host's answer to a query handed to it: once, and only before the asker stops waiting. */
  respond(key: string, payload: Uint8Array, now: number): void {
    const a = this.answering.get(key);
    if (!a || a.answered || now > a.deadline) return void this.counts.queryAnswersDropped++;
    a.answered = true;
    this.answer(a.query, 0, payload, now);
  }

  onResponse(m: M.QueryResponse, now: number): void {
    if (m.to !== '' && m.to !== this.d.address) {
      // A relay copy: pass it to the asker, if it is a live member (we send to no other address).
      if (this.d.isLiveAddress(m.to)) this.d.send(m.to, M.queryResponse(m.ltime, m.id, m.from, m.flags, m.payload, ''));
      return;
    }
    const a = this.asked.get(m.id);
    if (!a || a.ltime !== m.ltime || now > a.deadline) return;
    const kind = m.flags & M.QueryFlag.ack ? 'ack' : 'response';
    const seenKey = `${kind}\0${m.from}`;
    if (a.seen.has(seenKey)) return;
    a.seen.add(seenKey);
    this.d.output({ type: 'query-answer', id: m.id, kind, from: m.from, payload: m.payload });
  }

  private answer(q: M.Query, flags: number, payload: Uint8Array, now: number): void {
    const direct = M.queryResponse(q.ltime, q.id, this.d.name, flags, payload, '');
    if (q.addr === this.d.address) return this.onResponse(direct, now);
    this.d.send(q.addr, direct);
    if (q.relay === 0) return;
    const relayed = M.queryResponse(q.ltime, q.id, this.d.name, flags, payload, q.addr);
    // One spare: the asker itself may be drawn, and it gets the direct copy already.
    let left = q.relay;
    for (const peer of this.d.relayPeers(q.relay + 1)) {
      if (left === 0) break;
      if (peer === q.addr) continue;
      this.d.send(peer, relayed);
      left--;
    }
  }
}

const EMPTY = new Uint8Array(0);
