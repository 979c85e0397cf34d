/**
 * Anti-entropy: full-state push-pull as independent datagrams, merged row by row; the periodic
 * round that starts with a table digest; catch-up sync with a peer that knows more; reconnect
 * attempts to failed members and unanswered seeds; reaping of long-dead rows.
 *
 * Who gets how many bytes (docs/PROTOCOL.md, "Return-address check"): a push or a digest from
 * an address that is not a live member's and carries no valid cookie gets only a cookie back,
 * and only if that is no bigger than what came in, so a forged source cannot turn us into an
 * amplifier. An exchange we started and that is challenged is sent again with the cookie: one
 * more round trip. Reconnects start with our own row only; the full table follows only once the
 * other side answered.
 *
 * It owns its exchanges and seed dials and acts on nothing itself: every call yields what it
 * wants sent, merged, noted or reaped, one at a time, and the coordinator carries each out before
 * the next is decided (a reply is built from the table after the push it answers was merged).
 */
import type { ProtocolConfig } from '../config.js';
import type { MembershipTable, MemberRecord } from './membership.js';
import type { Note, Outgoing } from './io.js';
import * as M from './messages.js';
import { buildParts, PACKET_OVERHEAD_BYTES, recentFlags, recentRows } from './push-pull.js';
import type { ReturnCheck } from './return-check.js';
import { MAX_FILTER_PARTS } from './name-filter.js';
import { removalFloorMs } from './timing.js';
import type { Address, Random } from './types.js';

/** How a packet's sender is known: a live member's address, an echoed cookie, or not at all. */
export type Proof = 'member' | 'cookie' | 'none';

/** An exchange we started and whose answer we wait for. */
interface Exchange {
  readonly kind: 'join' | 'digest' | 'catch-up' | 'hello';
  readonly at: number;
  /** Answered with a cookie already: a second challenge is not answered again. */
  challenged: boolean;
  /** The flags our push carried (a windowed catch-up's row count), to send it again the same. */
  readonly flags: number;
}

/** Bytes of a `have` message besides its bits (header, sender name, counts). */
const FILTER_PART_OVERHEAD_BYTES = 160;

/** Seeds that never answered are dialed at most every reconnect interval × 2^this. */
const SEED_BACKOFF_MAX_DOUBLINGS = 5;
/** Exchanges we remember waiting for; beyond, the oldest is forgotten. */
const MAX_EXCHANGES = 1024;
/**
 * A windowed catch-up asks for this many rows more than four times the gap in live counts: room
 * for rows that changed without adding a live member (deaths, departures) and for gossip in flight.
 */
const RECENT_ROWS_SLACK = 64;

/** The table as anti-entropy sees it: read only (rows change through the coordinator). */
export type TableView = Pick<
  MembershipTable,
  'get' | 'values' | 'down' | 'transferEntries' | 'nameFilter' | 'missingFrom' | 'digest' | 'size' | 'liveCount' | 'aliveCount' | 'liveAt'
>;

export interface AntiEntropyHost {
  readonly name: string;
  readonly config: ProtocolConfig;
  readonly table: TableView;
  readonly random: Random;
  readonly returnCheck: ReturnCheck;
  running(): boolean;
  stopped(): boolean;
  seeds(): Iterable<Address>;
  /** The address of a random alive member other than us, if any. */
  randomAlivePeer(): Address | undefined;
  /** Encoded size of one message (bytes). */
  sizeOf(m: M.Message): number;
  /** What rides with each periodic digest and the first part of each state transfer we send (our user-event clock), if anything. */
  stateCompanion(): M.Message | undefined;
}

/** What anti-entropy wants done, in order. */
export type AntiEntropyWant =
  /** A datagram of exactly these messages (state transfers, cookies: nothing rides along). */
  | { readonly type: 'packet'; readonly to: Address; readonly messages: readonly M.Message[] }
  /** A message with piggybacked news. */
  | { readonly type: 'send'; readonly send: Outgoing }
  | { readonly type: 'note'; readonly note: Note }
  /**
   * Rows of a state transfer from `sender`: merge each as a claim (precedence.ts). `tableRows`:
   * about how many rows the sender's whole table holds (parts × rows of this part), room the
   * table may make at once instead of growing row by row through a join answer.
   */
  | { readonly type: 'merge'; readonly rows: readonly M.Entry[]; readonly sender: string; readonly tableRows: number }
  /** A push-pull reply came from `from`: joins that asked it succeed. */
  | { readonly type: 'join-answered'; readonly from: Address }
  /** A row dead or left longer than the reap age: forget it. */
  | { readonly type: 'reap'; readonly name: string };

type Wants = Generator<AntiEntropyWant, void, undefined>;

export class AntiEntropy {
  /** Last full or digest exchange we started: catch-up waits catchUpIntervalMs after it. */
  private lastExchangeAt = -Infinity;
  /** The live count of the peer our last catch-up asked: had we reached it, a window was enough. */
  private lastCatchUpTarget = 0;
  /** Our last filtered catch-up: to whom, in how many parts, and whether it was a follow-up. */
  private filterAsk: { readonly peer: Address; readonly parts: number; readonly followUp: boolean } | undefined;
  private readonly waiting = new Map<Address, Exchange>();
  /** Addresses that answered a push of ours: seeds among them need no more dialing. */
  private readonly answered = new Set<Address>();
  /** Seeds that have not answered: unanswered dials so far and when to try next. */
  private readonly seedDials = new Map<Address, { misses: number; nextAt: number }>();

  constructor(private readonly h: AntiEntropyHost) {}

  /**
   * Send our state (or only our own row, or only our `newest` rows) to `to`; `cookie` echoes a
   * challenge of theirs.
   */
  *sendState(to: Address, flags: number, selfOnly: boolean, now: number, cookie?: number, newest?: number): Wants {
    const { entries, sizes } = this.h.table.transferEntries(now, selfOnly ? this.h.name : undefined, newest);
    yield* this.sendRows(to, flags, entries, sizes, cookie);
  }

  /** A state transfer of these rows, cut into datagrams. */
  private *sendRows(to: Address, flags: number, entries: readonly M.Entry[], sizes: readonly number[], cookie?: number): Wants {
    const echo = cookie === undefined ? undefined : M.cookie(cookie, this.h.name);
    // Not with a join: a newcomer takes the cluster's clock from the reply, and asks for nothing.
    const companion = flags & M.PushPullFlag.join ? undefined : this.h.stateCompanion();
    const room = this.h.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES - (echo ? this.h.sizeOf(echo) : 0) - (companion ? this.h.sizeOf(companion) : 0);
    let first = true;
    for (const part of buildParts(entries, sizes, this.h.name, flags, room)) {
      const messages: M.Message[] = echo ? [echo, part] : [part];
      if (first && companion) messages.push(companion);
      first = false;
      yield { type: 'packet', to, messages };
    }
  }

  /** Is `cookie` one we issued to `from` (an echo that proves the sender receives there)? */
  ownCookie(from: Address, cookie: number, now: number): boolean {
    return this.h.returnCheck.valid(from, cookie, now);
  }

  /** Join through `seed`: our whole state, flagged as a join. */
  *join(seed: Address, now: number): Wants {
    this.expect(seed, 'join', now);
    yield* this.sendState(seed, M.PushPullFlag.join, false, now);
  }

  *onPushPull(m: M.PushPull, from: Address, now: number, proof: Proof, packet: readonly M.Message[]): Wants {
    if (m.flags & M.PushPullFlag.reply) {
      // A reply sends nothing back, whoever it comes from; its rows merge as gossip does.
      yield { type: 'merge', rows: m.entries, sender: m.from, tableRows: tableRowsOf(m) };
      yield { type: 'join-answered', from };
      yield* this.onAnswer(from, now);
      if (m.flags & M.PushPullFlag.recent && m.part === m.parts - 1) yield* this.afterWindow(from, now);
      if (m.flags & M.PushPullFlag.have && m.part === m.parts - 1) yield* this.afterFilter(from, Math.floor(m.flags / 256), now);
      return;
    }
    if (proof === 'none') return yield* this.challenge(from, packet, now);
    yield { type: 'merge', rows: m.entries, sender: m.from, tableRows: tableRowsOf(m) };
    // A catch-up with a name filter: its `have` parts are answered each with what it lacks.
    if (m.flags & M.PushPullFlag.have) return;
    if (m.part === 0 && !this.h.stopped()) {
      // Merge first, then answer: a refutation caused by the push rides in our reply. A windowed
      // catch-up gets our newest rows only (maybeCatchUp).
      const newest = recentRows(m.flags);
      yield* this.sendState(from, newest === undefined ? M.PushPullFlag.reply : M.PushPullFlag.reply | M.PushPullFlag.recent, false, now, undefined, newest);
    }
  }

  /**
   * A part of a catch-up's name filter: answer with our rows in that part's share of the names
   * that the filter does not hold (name-filter.ts). Only to a proven address: the answer may be
   * far bigger than the question.
   */
  *onHave(m: M.Have, from: Address, now: number, proof: Proof, packet: readonly M.Message[]): Wants {
    if (!this.h.running()) return;
    if (proof === 'none') return yield* this.challenge(from, packet, now);
    const { entries, sizes } = this.h.table.missingFrom(m.bits, m.k, m.salt, m.part, m.parts, now);
    // The answer to the last part goes even when empty: it tells the asker the answers are in.
    if (entries.length === 0 && m.part !== m.parts - 1) return;
    yield* this.sendRows(from, M.PushPullFlag.reply | M.PushPullFlag.have | (m.part * 256), entries, sizes);
  }

  /** A peer's table digest: if ours differs, start a full exchange with it. */
  *onDigest(m: M.Digest, from: Address, now: number, proof: Proof, packet: readonly M.Message[]): Wants {
    if (!this.h.running() || (m.digest === this.h.table.digest && m.count === this.h.table.size)) return;
    if (proof === 'none') return yield* this.challenge(from, packet, now);
    yield* this.sendState(from, 0, false, now);
  }

  /**
   * A cookie: our own echoed back (the packet's proof, already used), or a challenge to an
   * exchange we started. Anything else is ignored, so a forged challenge makes us send nothing.
   */
  *onCookie(m: M.Cookie, from: Address, now: number): Wants {
    if (this.h.returnCheck.valid(from, m.seq, now)) return;
    const x = this.waiting.get(from);
    if (!x || x.challenged || now - x.at > this.waitMs() || !this.h.running()) return;
    x.challenged = true;
    switch (x.kind) {
      case 'join':
        return yield* this.sendState(from, M.PushPullFlag.join, false, now, m.seq);
      case 'digest':
        return yield { type: 'packet', to: from, messages: [M.cookie(m.seq, this.h.name), M.digest(this.h.name, this.h.table.digest, this.h.table.size)] };
      case 'catch-up':
        return yield* this.sendCatchUp(from, x.flags, now, m.seq);
      case 'hello':
        return yield* this.sendState(from, x.flags, true, now, m.seq);
    }
  }

  /** Answer an unproven request with a cookie, never with more bytes than it brought. */
  private *challenge(to: Address, packet: readonly M.Message[], now: number): Wants {
    const c = M.cookie(this.h.returnCheck.issue(to, now), this.h.name);
    const out = PACKET_OVERHEAD_BYTES + this.h.sizeOf(c);
    let received = PACKET_OVERHEAD_BYTES;
    for (const m of packet) if ((received += this.h.sizeOf(m)) >= out) break;
    yield { type: 'note', note: { kind: 'dropped', reason: 'unproven-address', from: to } };
    if (received >= out) yield { type: 'packet', to, messages: [c] };
  }

  /** The other side of an exchange we started answered: a reconnect hello gets our full state now. */
  private *onAnswer(from: Address, now: number): Wants {
    this.answered.add(from);
    this.seedDials.delete(from);
    const x = this.waiting.get(from);
    if (!x) return;
    this.waiting.delete(from);
    if (x.kind === 'hello' && this.h.running()) yield* this.sendState(from, M.PushPullFlag.reply, false, now);
  }

  private expect(to: Address, kind: Exchange['kind'], now: number, flags = 0): void {
    this.waiting.delete(to);
    this.waiting.set(to, { kind, at: now, challenged: false, flags });
    if (this.waiting.size > MAX_EXCHANGES) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** How long an exchange we started may be answered (a challenge included). */
  private waitMs(): number {
    return Math.max(this.h.config.reconnectIntervalMs, 4 * this.h.config.joinTimeoutMs, 4 * this.h.config.probeIntervalMs);
  }

  /**
   * A live member (`trusted`) counts clearly more live members than we do: ask it for its table.
   * Never an unproven address: a member we hold dead (one back from a crash, on probation) counts
   * itself and everyone, and every agent would pull its table every catchUpIntervalMs.
   * (Pulls from peers that have not applied a death yet remain: suppressing them by recent
   * losses cost healthy members in Rapid's egress-loss scenario, test/sim/beyond-lifeguard.)
   *
   * Windowed (issue 16): while a cluster grows, every agent keeps meeting peers a few members
   * ahead, and a whole table per pull made a join burst move N² × (seconds of growth) rows. When
   * four times the gap (and some slack) is at most a quarter of our table, and our previous
   * catch-up brought us to the count its peer had, we ask only for that many of the peer's newest
   * rows (its table order is the order it learned them). Otherwise (far behind, or the last
   * window missed a row the peer learned long ago) we send a filter of the names we hold and the
   * peer answers with the rows we lack (name-filter.ts); a window that leaves us short is
   * followed by the filter at once (afterWindow). Whole tables went 2.3 times to every agent of a
   * 1 s burst of 2000, two thirds of their rows old news.
   */
  *maybeCatchUp(theirs: number, from: Address, now: number, trusted: boolean): Wants {
    const c = this.h.config;
    if (c.catchUpThreshold === 0 || !trusted || !this.h.running()) return;
    const mine = this.h.table.liveCount;
    if (theirs < mine + c.catchUpThreshold || now - this.lastExchangeAt < c.catchUpIntervalMs) return;
    // A peer that still counts a member we just declared dead (or saw leave) is not ahead of us,
    // it is behind: gossip brings it the verdict. Pulling its table then would be the wrong way,
    // by every agent that already knows, after every death (finding 7).
    if (theirs < mine + this.recentlyDown(now) + c.catchUpThreshold) return;
    this.lastExchangeAt = now;
    const want = 4 * (theirs - mine) + RECENT_ROWS_SLACK;
    const windowed = want <= mine / 4 && mine >= this.lastCatchUpTarget;
    this.lastCatchUpTarget = theirs;
    yield* this.pullFrom(from, windowed ? recentFlags(want) : M.PushPullFlag.have, now);
  }

  /**
   * The last part of a windowed reply, merged: if we still count fewer live members than the peer
   * did, the window missed rows it learned earlier; ask for what we lack now rather than a second
   * later (at most once per window, and a filtered catch-up is never followed up).
   */
  private *afterWindow(from: Address, now: number): Wants {
    if (!this.h.running() || this.h.table.liveCount >= this.lastCatchUpTarget) return;
    this.lastExchangeAt = now;
    yield* this.pullFrom(from, M.PushPullFlag.have, now);
  }

  /**
   * The answer to the last part of our filter, merged: if we still count fewer live members than
   * the peer did, a name we lack collided with the filter (about 1 in 500); ask once more now,
   * with a fresh salt, rather than a second later. A follow-up is not followed up.
   */
  private *afterFilter(from: Address, part: number, now: number): Wants {
    const ask = this.filterAsk;
    if (!ask || ask.peer !== from || part !== ask.parts - 1 || ask.followUp || !this.h.running()) return;
    this.filterAsk = undefined;
    if (this.h.table.liveCount >= this.lastCatchUpTarget) return;
    this.lastExchangeAt = now;
    yield* this.pullFrom(from, M.PushPullFlag.have, now, true);
  }

  private *pullFrom(from: Address, flags: number, now: number, followUp = false): Wants {
    this.expect(from, 'catch-up', now, flags);
    yield { type: 'note', note: { kind: 'push-pull', peer: from, reason: 'catch-up' } };
    yield* this.sendCatchUp(from, flags, now, undefined, followUp);
  }

  /**
   * A catch-up: our own row, and with the `have` flag the filter of the names we hold, a part per
   * datagram after it. Our row goes alone: a peer from before the flag answers it with its whole
   * table, and drops the datagrams of the filter (a record shape it does not know).
   */
  private *sendCatchUp(to: Address, flags: number, now: number, cookie?: number, followUp = false): Wants {
    if (!(flags & M.PushPullFlag.have)) return yield* this.sendState(to, flags, true, now, cookie);
    const echo = cookie === undefined ? [] : [M.cookie(cookie, this.h.name)];
    const room = this.h.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES - FILTER_PART_OVERHEAD_BYTES - (echo[0] ? this.h.sizeOf(echo[0]) : 0);
    const salt = this.h.random.int(0x100000000);
    const filter = this.h.table.nameFilter(Math.max(64, room), salt);
    // Past what a peer takes (a table far beyond the member cap): the whole table, as before.
    if (filter.parts > MAX_FILTER_PARTS) return yield* this.sendState(to, flags & ~M.PushPullFlag.have, true, now, cookie);
    yield* this.sendState(to, flags, true, now, cookie);
    this.filterAsk = { peer: to, parts: filter.parts, followUp };
    for (let p = 0; p < filter.parts; p++)
      yield { type: 'packet', to, messages: [...echo, M.have(this.h.name, p, filter.parts, filter.k, salt, filter.bits[p]!)] };
  }

  /** Members that went dead or left here within the removal floor: news that may not have reached everyone yet. */
  private recentlyDown(now: number): number {
    const window = removalFloorMs(this.h.config.suspicionMult, this.h.config.probeIntervalMs);
    let n = 0;
    for (const r of this.h.table.down()) if (now - r.stateChangedAt < window) n++;
    return n;
  }

  *periodic(now: number): Wants {
    const addr = this.h.randomAlivePeer();
    if (addr === undefined) return;
    yield { type: 'note', note: { kind: 'push-pull', peer: addr, reason: 'periodic' } };
    // A digest first: in steady state the tables agree and one small datagram is all it costs.
    this.expect(addr, 'digest', now);
    // Our user-event clock rides along: equal tables can still differ in the events they heard.
    yield { type: 'send', send: { to: addr, primary: M.digest(this.h.name, this.h.table.digest, this.h.table.size), companion: this.h.stateCompanion() } };
    this.lastExchangeAt = now;
  }

  /**
   * Re-dial one random failed member, and the seeds that have not answered yet, with our own
   * row only; the full exchange follows when they answer, so addresses that never answer never
   * get our table. A seed is dialed until it answers once or shows up as a live member (after
   * that, failed-member reconnects heal partitions), backing off while it stays silent.
   */
  *reconnect(now: number): Wants {
    for (const [addr, x] of this.waiting) if (now - x.at > this.waitMs()) this.waiting.delete(addr);
    const failed: MemberRecord[] = [];
    for (const r of this.h.table.down()) if (r.state === 'dead') failed.push(r);
    const targets: Address[] = [];
    // As Serf does: each agent tries with probability failed / alive, so the whole cluster makes
    // about one attempt per failed member per interval, however large it is.
    const chance = failed.length / Math.max(1, this.h.table.aliveCount - 1);
    if (failed.length > 0 && this.h.random.next() < chance) targets.push(failed[this.h.random.int(failed.length)]!.address);
    const joined = this.h.table.liveCount > 1;
    for (const s of this.h.seeds()) {
      if (this.h.table.liveAt(s) || (joined && this.answered.has(s)) || targets.includes(s)) continue;
      const dial = this.seedDials.get(s) ?? { misses: 0, nextAt: -Infinity };
      if (now < dial.nextAt) continue;
      dial.misses++;
      dial.nextAt = now + this.h.config.reconnectIntervalMs * (2 ** Math.min(dial.misses - 1, SEED_BACKOFF_MAX_DOUBLINGS) - 0.5);
      this.seedDials.set(s, dial);
      targets.push(s);
    }
    for (const t of targets) {
      yield { type: 'note', note: { kind: 'push-pull', peer: t, reason: 'reconnect' } };
      this.expect(t, 'hello', now);
      yield* this.sendState(t, 0, true, now);
    }
  }

  *reap(now: number): Wants {
    const doomed: string[] = [];
    for (const r of this.h.table.down()) {
      if (r.state === 'dead' && now - r.stateChangedAt >= this.h.config.reapFailedAfterMs) doomed.push(r.name);
      else if (r.state === 'left' && now - r.stateChangedAt >= this.h.config.reapLeftAfterMs) doomed.push(r.name);
    }
    for (const name of doomed) yield { type: 'reap', name };
  }
}

/** About how many rows the sender of a whole-table transfer holds; 0 for a window or our own row. */
function tableRowsOf(m: M.PushPull): number {
  return m.flags & M.PushPullFlag.recent ? 0 : m.parts * m.entries.length;
}
