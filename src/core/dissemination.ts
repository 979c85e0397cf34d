/**
 * Dissemination: the news waiting to ride (membership updates, and user events and queries in
 * their own queue with their own share of a packet), what rides behind each message we send,
 * and the gossip rounds that carry what is left.
 *
 * It owns both queues and their counter and sends nothing itself: it returns the messages of
 * each datagram. Whom to gossip to is the coordinator's answer (the probe order and the table).
 */
import type { ProtocolConfig } from '../config.js';
import { BroadcastQueue } from './broadcasts.js';
import type * as M from './messages.js';
import { PACKET_OVERHEAD_BYTES } from './push-pull.js';
import { retransmitLimit } from './timing.js';
import type { Address } from './types.js';

export interface DisseminationCounters {
  /** Updates too big for any packet (long name, address and tags): dropped, never sent. */
  oversizedUpdates: number;
  /** Membership updates dropped from a full queue (updateQueueMax), the most-sent first. */
  updateQueueDrops: number;
  /** User events and queries dropped from a full queue (userEventQueueMax), the most-sent first. */
  userQueueDrops: number;
}

export interface DisseminationHost {
  readonly config: ProtocolConfig;
  /** Encoded size of one message inside a compound packet (bytes). */
  sizeOf(m: M.Message): number;
  /** Members alive or suspect, us included: the n of the retransmit limits. */
  liveCount(): number;
  /** Is `address` a live member's? Only those get news behind an answer. */
  liveAt(address: Address): boolean;
  /** Addresses of up to k members to gossip to now (live, or dead lately), drawn at random. */
  gossipTargets(k: number, now: number): Address[];
  /** The address of one random live member other than us, if any. */
  userEventTarget(): Address | undefined;
}

export class Dissemination {
  private oversizedUpdates = 0;

  get counts(): DisseminationCounters {
    return { oversizedUpdates: this.oversizedUpdates, updateQueueDrops: this.news.dropped, userQueueDrops: this.user.dropped };
  }
  private readonly news: BroadcastQueue;
  /** User events and queries: their own queue, their own share of a packet. */
  private readonly user: BroadcastQueue;
  /** Each user event and query rides under a key of its own. */
  private userKey = 0;

  constructor(private readonly host: DisseminationHost) {
    const room = host.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES;
    this.news = new BroadcastQueue((m) => host.sizeOf(m), room, host.config.updateQueueMax);
    this.user = new BroadcastQueue((m) => host.sizeOf(m), room, host.config.userEventQueueMax);
  }

  /** Membership updates waiting to ride. */
  get pending(): number {
    return this.news.pending;
  }
  /** User events and queries waiting to ride. */
  get pendingUser(): number {
    return this.user.pending;
  }

  /** Queue membership news about `m.name`, replacing older news about it. */
  queue(m: M.Update): void {
    if (!this.news.enqueue(m, m.name)) this.oversizedUpdates++;
  }

  /** Queue a user event (`e`) or a query message (`q`). */
  queueUser(m: M.Message, kind: 'e' | 'q'): void {
    if (!this.user.enqueue(m, `${kind}${this.userKey++}`)) this.oversizedUpdates++;
  }

  /** Times the news about `name` was sent, or undefined when none is queued. */
  transmitsOf(name: string): number | undefined {
    return this.news.transmitsOf(name);
  }

  /** How often one update is sent, at the current cluster size. */
  retransmitLimit(): number {
    return retransmitLimit(this.host.config.retransmitMult, this.host.liveCount());
  }

  /**
   * The messages of a datagram carrying `primary` (and an optional companion) to `to`, with as
   * many queued updates as fit behind. Updates ride only to live members: an answer to anyone
   * else (a ping or ping-req from a stranger) must not be bigger than what it answers.
   */
  packet(to: Address, primary: M.Message, companion?: M.Message): M.Message[] {
    const messages: M.Message[] = companion ? [primary, companion] : [primary];
    if (!this.host.liveAt(to)) return messages;
    const budget = this.host.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES - this.host.sizeOf(primary) - (companion ? this.host.sizeOf(companion) : 0);
    this.fill(budget, messages);
    return messages;
  }

  /** A gossip round: news to up to gossipNodes members, then packets of user events alone. */
  round(now: number): { readonly to: Address; readonly messages: M.Message[] }[] {
    const c = this.host.config;
    const out: { to: Address; messages: M.Message[] }[] = [];
    if ((this.news.pending === 0 && this.user.pending === 0) || c.gossipNodes === 0) return out;
    for (const to of this.host.gossipTargets(c.gossipNodes, now)) {
      const messages: M.Message[] = [];
      this.fill(c.packetBudgetBytes - PACKET_OVERHEAD_BYTES, messages);
      if (messages.length === 0) break;
      out.push({ to, messages });
    }
    this.userEventPackets(out);
    return out;
  }

  /**
   * Fill `budget` bytes with queued news: membership first, but while user events wait they keep
   * `userEventShare` of the room; each side gets what the other leaves.
   */
  private fill(budget: number, messages: M.Message[]): void {
    const limit = this.retransmitLimit();
    if (this.user.pending === 0) {
      this.news.take(budget, limit, messages);
      return;
    }
    const reserved = Math.floor(budget * this.host.config.userEventShare);
    const used = this.news.pending > 0 ? this.news.take(budget - reserved, limit, messages) : 0;
    this.user.take(budget - used, this.userRetransmitLimit(), messages);
  }

  private userRetransmitLimit(): number {
    return retransmitLimit(this.host.config.userEventRetransmitMult, this.host.liveCount());
  }

  /**
   * Packets of user events alone, while any wait: a burst of events gets its throughput here
   * instead of from the room membership news needs (memberlist's delegate broadcasts share one
   * queue with news and starve past about 1000 members: hashicorp/memberlist#299).
   */
  private userEventPackets(out: { to: Address; messages: M.Message[] }[]): void {
    const c = this.host.config;
    const limit = this.userRetransmitLimit();
    for (let i = 0; i < c.userEventPackets && this.user.pending > 0; i++) {
      const to = this.host.userEventTarget();
      if (to === undefined) return;
      const messages: M.Message[] = [];
      this.user.take(c.packetBudgetBytes - PACKET_OVERHEAD_BYTES, limit, messages);
      if (messages.length === 0) return;
      out.push({ to, messages });
    }
  }
}
