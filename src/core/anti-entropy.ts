/**
 * Anti-entropy: full-state push-pull as independent datagrams, merged row by row; the periodic
 * round that starts with a table digest; catch-up sync with a peer that counts more live members;
 * reconnect attempts to failed members and unreachable seeds; reaping of long-dead rows.
 */
import type { ProtocolConfig } from '../config.js';
import type { Note, Output } from './io.js';
import { isLive, type MembershipTable, type MemberRecord } from './membership.js';
import * as M from './messages.js';
import { buildParts, entryOf, PACKET_OVERHEAD_BYTES } from './push-pull.js';
import type { Address, Random } from './types.js';


export interface AntiEntropyHost {
  readonly name: string;
  readonly config: ProtocolConfig;
  readonly table: MembershipTable;
  readonly random: Random;
  running(): boolean;
  stopped(): boolean;
  /** Apply an update as if gossiped; `relay` false keeps it from being re-gossiped. */
  onUpdate(m: M.Update, now: number, relay?: boolean): void;
  aboutSelf(m: M.Update, now: number): void;
  joinAnswered(from: Address): void;
  seeds(): Iterable<Address>;
  /** The address of a random alive member other than us, if any. */
  randomAlivePeer(): Address | undefined;
  /** Send one message with piggybacked updates. */
  send(to: Address, m: M.Message): void;
  output(o: Output): void;
  note(n: Note): void;
}

export class AntiEntropy {
  /** Last full or digest exchange we started: catch-up waits catchUpIntervalMs after it. */
  private lastExchangeAt = -Infinity;

  constructor(private readonly h: AntiEntropyHost) {}

  sendState(to: Address, flags: number, selfOnly: boolean): void {
    const rows = selfOnly ? [this.h.table.get(this.h.name)!] : [...this.h.table.values()];
    for (const part of buildParts(rows.map(entryOf), this.h.name, flags, this.h.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES)) {
      this.h.output({ type: 'send', to, messages: [part] });
    }
  }

  onPushPull(m: M.PushPull, from: Address, now: number): void {
    for (const e of m.entries) this.mergeEntry(e, m.from, now);
    if (m.flags & M.PushPullFlag.reply) {
      this.h.joinAnswered(from);
    } else if (m.part === 0 && !this.h.stopped()) {
      // Merge first, then answer: a refutation caused by the push rides in our reply.
      this.sendState(from, M.PushPullFlag.reply, false);
    }
  }

  private mergeEntry(e: M.Entry, sender: string, now: number): void {
    const state = M.memberStateOf[e.state];
    if (state === undefined) return;
    if (e.name === this.h.name) {
      if (state === 'alive') return this.h.aboutSelf(M.alive(e.name, e.addr, e.inc, e.tags), now);
      if (state === 'left') return this.h.aboutSelf(M.left(e.name, e.inc), now);
      return this.h.aboutSelf(M.suspect(e.name, e.inc, sender), now);
    }
    const known = this.h.table.get(e.name);
    // Most rows of a state transfer are old news: skip them before building any message.
    if (known && known.incarnation >= e.inc && (known.incarnation > e.inc || known.state === state || state === 'alive')) return;
    switch (state) {
      case 'alive':
        return this.h.onUpdate(M.alive(e.name, e.addr, e.inc, e.tags), now, e.name === sender);
      case 'suspect':
        return this.h.onUpdate(M.suspect(e.name, e.inc, sender), now);
      case 'dead':
        if (known && isLive(known.state)) {
          // A peer's old verdict is weak evidence: suspect, and let the member refute (memberlist does the same).
          return this.h.onUpdate(M.suspect(e.name, e.inc, sender), now);
        }
        if (!known) {
          // Remember it, without an event: a failed member we can try to reconnect to.
          this.h.table.apply({ name: e.name, state: 'dead', incarnation: e.inc, address: e.addr, wireTags: e.tags }, now);
          return;
        }
        return this.h.onUpdate(M.dead(e.name, e.inc, sender), now, false);
      case 'left':
        if (!known) {
          this.h.table.apply({ name: e.name, state: 'left', incarnation: e.inc, address: e.addr, wireTags: e.tags }, now);
          return;
        }
        return this.h.onUpdate(M.left(e.name, e.inc), now, false);
    }
  }

  /** A peer that counts clearly more live members than we do: ask it for its table now. */
  maybeCatchUp(theirs: number, from: Address, now: number): void {
    const c = this.h.config;
    if (c.catchUpThreshold === 0 || !this.h.running()) return;
    if (theirs < this.h.table.liveCount + c.catchUpThreshold || now - this.lastExchangeAt < c.catchUpIntervalMs) return;
    this.lastExchangeAt = now;
    this.h.note({ kind: 'push-pull', peer: from, reason: 'catch-up' });
    this.sendState(from, 0, true);
  }

  periodic(now: number): void {
    const addr = this.h.randomAlivePeer();
    if (addr === undefined) return;
    this.h.note({ kind: 'push-pull', peer: addr, reason: 'periodic' });
    // A digest first: in steady state the tables agree and one small datagram is all it costs.
    this.h.send(addr, M.digest(this.h.name, this.h.table.digest, this.h.table.size));
    this.lastExchangeAt = now;
  }

  /** A peer's table digest: if ours differs, start a full exchange with it. */
  onDigest(m: M.Digest, from: Address): void {
    if (!this.h.running() || (m.digest === this.h.table.digest && m.count === this.h.table.size)) return;
    this.sendState(from, 0, false);
  }

    /** Re-dial one random failed member and every seed we do not hold alive: partitions heal alone. */
  reconnect(now: number): void {
    const failed: MemberRecord[] = [];
    const liveAddrs = new Set<Address>();
    for (const r of this.h.table.values()) {
      if (r.state === 'dead') failed.push(r);
      else if (isLive(r.state)) liveAddrs.add(r.address);
    }
    const targets: Address[] = [];
    // As Serf does: each agent tries with probability failed / alive, so the whole cluster makes
    // about one attempt per failed member per interval, however large it is.
    const chance = failed.length / Math.max(1, this.h.table.aliveCount - 1);
    if (failed.length > 0 && this.h.random.next() < chance) targets.push(failed[this.h.random.int(failed.length)]!.address);
    for (const s of this.h.seeds()) if (!liveAddrs.has(s) && !targets.includes(s)) targets.push(s);
    for (const t of targets) {
      this.h.note({ kind: 'push-pull', peer: t, reason: 'reconnect' });
      this.sendState(t, 0, false);
    }
  }

  reap(now: number): void {
    const doomed: string[] = [];
    for (const r of this.h.table.values()) {
      if (r.state === 'dead' && now - r.stateChangedAt >= this.h.config.reapFailedAfterMs) doomed.push(r.name);
      else if (r.state === 'left' && now - r.stateChangedAt >= this.h.config.reapLeftAfterMs) doomed.push(r.name);
    }
    for (const name of doomed) {
      this.h.table.delete(name);
      this.h.note({ kind: 'reaped', name });
    }
  }
}
