/**
 * The one driver of the protocol core, used by real agents and by the simulator alike: bytes in
 * -> decode -> core.step -> encode -> bytes out, then one wake-up at the core's next deadline.
 * The hot path is synchronous; only the transport and the scheduler differ between production
 * and simulation.
 */
import type { ProtocolConfig } from '../config.js';
import { ClusterError } from '../errors.js';
import type { IncomingQuery, Input, Note, Output, QueryRequest, UserEventData } from '../core/io.js';
import { filtersToWire } from '../core/queries.js';
import { ANY_QUERY } from './query-stream.js';
import { WIRE_LIMITS } from '../wire/validate.js';
import { Swim } from '../core/swim.js';
import { checkTags, tagsToWire } from '../core/tags.js';
import { MAX_INCARNATION } from '../core/membership.js';
import * as M from '../core/messages.js';
import { PACKET_OVERHEAD_BYTES } from '../core/push-pull.js';
import { addressProblem, nameProblem, tagKeyProblem, tagValueProblem } from '../wire/values.js';
import type { Address, Member, MemberEvent, Random, Tags } from '../core/types.js';
import type { Scheduler } from '../runtime/scheduler.js';
import type { Transport } from '../transport/transport.js';
import type { Codec } from '../wire/codec.js';
import { createCookieHash } from '../wire/cookie.js';
import type { CookieHash } from '../core/return-check.js';

export interface DriverInit {
  readonly name: string;
  readonly tags?: Tags;
  readonly incarnation?: number;
  readonly config: ProtocolConfig;
}

export interface DriverDeps {
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly codec: Codec;
  /** Keyed hash for return-address cookies; default an HMAC under a fresh random secret. */
  readonly cookieHash?: CookieHash;
  /** Every membership change, in order. */
  readonly onEvent?: (event: MemberEvent) => void;
  /** Every user event, once, ours included. */
  readonly onUserEvent?: (event: UserEventData) => void;
  /**
   * A query for us to answer (its filters passed): call `respond` once, before `q.deadline`, to
   * answer; not calling it is a valid "no answer". `respond` throws ERR_PAYLOAD_TOO_LARGE over
   * queryResponseMaxBytes.
   */
  readonly onQuery?: (q: IncomingQuery, respond: (payload: Uint8Array) => void) => void;
  /** Protocol notes and drops, for logs and metrics. */
  readonly onNote?: (note: Note) => void;
  /** Every packet sent (after encoding), for tracing and byte counts. */
  readonly onSend?: (to: Address, bytes: Uint8Array, messages: number) => void;
}

/**
 * Traffic the Driver moved; exposed through stats and /metrics. Drops are not here: the Driver
 * reports each as a `dropped` note, and the node's observer counts them (observe.ts).
 */
export interface DriverStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  messagesOut: number;
}

/** Refused datagrams in one probe interval that count as a flood. */
const FLOOD_DROPS_PER_INTERVAL = 200;

/** The longest address a relay copy of a response may carry (a bracketed IPv6 literal and port). */
const VALUE_LIMITS_ADDRESS = '[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535';

/** Hears the answers to one query of ours, then `done` once (timeout, leave or close). */
export interface QueryListener {
  answer(kind: 'ack' | 'response', from: string, payload: Uint8Array): void;
  done(timeoutMs: number): void;
}

export type JoinCallback = (result: { ok: true; contacted: number } | { ok: false; error: ClusterError }) => void;

export class Driver {
  readonly core: Swim;
  readonly stats: DriverStats = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, messagesOut: 0 };
  private readonly joinCallbacks = new Map<number, JoinCallback>();
  private readonly leaveCallbacks: (() => void)[] = [];
  private readonly queryListeners = new Map<number, QueryListener>();
  private nextQueryId = 1;
  private nextJoinId = 1;
  /** Refused datagrams in the current flood window (one probe interval). */
  private floodCount = 0;
  private floodWindowStart = -Infinity;
  private closed = false;
  private readonly wake = (): void => this.drive({ type: 'tick' });

  constructor(
    private readonly init: DriverInit,
    private readonly deps: DriverDeps,
  ) {
    const tags = init.tags ?? {};
    checkOwnTags(tags, init.config.maxTagsBytes);
    const nameWhy = nameProblem(init.name, init.config.maxNameBytes);
    if (nameWhy) throw new ClusterError('ERR_CONFIG', `name ${JSON.stringify(init.name)}: ${nameWhy}`);
    const addressWhy = addressProblem(deps.transport.address);
    if (addressWhy) throw new ClusterError('ERR_CONFIG', `address ${JSON.stringify(deps.transport.address)}: ${addressWhy}`);
    this.checkAliveFits(tags);
    this.core = new Swim(
      { name: init.name, address: deps.transport.address, tags, incarnation: init.incarnation ?? 0, config: init.config },
      { random: deps.random, sizeOf: deps.codec.sizeOf, cookieHash: deps.cookieHash ?? createCookieHash() },
      deps.scheduler.now(),
    );
    deps.transport.onPacket((from, bytes) => this.receive(from, bytes));
    this.schedule();
  }

  get name(): string {
    return this.init.name;
  }
  get address(): Address {
    return this.deps.transport.address;
  }
  members(): Member[] {
    return this.core.members();
  }

  /** Feed one datagram. Never throws: a bad packet is counted and dropped. */
  receive(from: Address, bytes: Uint8Array): void {
    if (this.closed) return;
    this.stats.packetsIn++;
    this.stats.bytesIn += bytes.length;
    const r = this.deps.codec.decode(bytes);
    if (!r.ok) {
      this.deps.onNote?.({ kind: 'dropped', reason: r.reason, from });
      this.countFlood();
      return;
    }
    this.drive({ type: 'packet', from, messages: r.value });
  }

  /** Join through seeds; the callback hears once, with the result. */
  join(seeds: readonly Address[], done: JoinCallback): void {
    const id = this.nextJoinId++;
    this.joinCallbacks.set(id, done);
    this.drive({ type: 'join', id, seeds });
  }

  /** Graceful leave: broadcast `left`, let it spread (bounded), then stop. */
  leave(done: () => void): void {
    if (this.core.stopped) return done();
    this.leaveCallbacks.push(done);
    this.drive({ type: 'leave' });
  }

  /** Mark a member we hold failed as left (and with `prune`, forget it); the core ignores any other. */
  forceLeave(name: string, prune: boolean): void {
    this.drive({ type: 'force-leave', name, prune });
  }

  /** Replace our tags; throws ERR_ARGUMENT, ERR_TAGS_TOO_LARGE or ERR_INCARNATION_EXHAUSTED before anything changes. */
  setTags(tags: Tags): void {
    checkOwnTags(tags, this.init.config.maxTagsBytes);
    this.checkAliveFits(tags);
    if (!this.core.stopped && !this.core.canRaiseIncarnation)
      throw new ClusterError(
        'ERR_INCARNATION_EXHAUSTED',
        `cannot change tags: our incarnation ${this.core.currentIncarnation} is the highest every agent takes (2^53 - 1), and a tag change needs a higher one; restart this agent without its data dir (a new process life) to change its tags`,
      );
    this.drive({ type: 'set-tags', tags });
  }

  /**
   * Send a user event to every member (and to ourselves). Throws ERR_ARGUMENT for a name a
   * receiver would refuse, ERR_PAYLOAD_TOO_LARGE beyond userEventMaxBytes (name + payload),
   * ERR_NOT_RUNNING after leave or close.
   */
  event(name: string, payload: Uint8Array = new Uint8Array(0), coalesce = false): void {
    const nameWhy = nameProblem(name, this.init.config.maxNameBytes);
    if (nameWhy) throw new ClusterError('ERR_ARGUMENT', `event name ${JSON.stringify(name)}: ${nameWhy}`);
    if (!(payload instanceof Uint8Array))
      throw new ClusterError('ERR_ARGUMENT', 'event payload must be a Uint8Array (or a string, encoded as UTF-8, where the API takes one)');
    const size = new TextEncoder().encode(name).length + payload.length;
    const max = this.init.config.userEventMaxBytes;
    if (size > max)
      throw new ClusterError(
        'ERR_PAYLOAD_TOO_LARGE',
        `user event ${JSON.stringify(name)} is ${size} bytes (name + payload), more than userEventMaxBytes (${max}); send less, or raise userEventMaxBytes on every agent`,
      );
    const room = this.init.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES;
    const encoded = this.deps.codec.sizeOf(M.userEvent(Number.MAX_SAFE_INTEGER, name, payload, 1));
    if (encoded > room)
      throw new ClusterError(
        'ERR_PAYLOAD_TOO_LARGE',
        `user event ${JSON.stringify(name)} takes ${encoded} bytes on the wire, more than fits in a packet (packetBudgetBytes ${this.init.config.packetBudgetBytes} - ${PACKET_OVERHEAD_BYTES}); send less`,
      );
    if (this.closed || this.core.stopped) throw new ClusterError('ERR_NOT_RUNNING', 'cannot send an event: the agent has stopped');
    this.drive({ type: 'user-event', name, payload, coalesce });
  }

  /**
   * Ask every member (or those the filters pick) a query; `listener` hears each ack and response
   * as it arrives, then `done`. Returns the query's id. Throws ERR_ARGUMENT (bad name, node name,
   * tag key or pattern, relay factor over 5, bad timeout), ERR_PAYLOAD_TOO_LARGE (name, payload
   * and filters over queryMaxBytes), ERR_NOT_RUNNING.
   */
  query(request: QueryRequest, listener: QueryListener): number {
    checkQuery(request, this.init.config.maxNameBytes, this.init.config.queryMaxBytes);
    const room = this.init.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES;
    const encoded = this.deps.codec.sizeOf(
      M.query(
        Number.MAX_SAFE_INTEGER,
        0xffffffff,
        this.init.name,
        this.deps.transport.address,
        request.name,
        request.payload,
        1,
        request.relay,
        0xffffffff,
        filtersToWire(request),
      ),
    );
    if (encoded > room)
      throw new ClusterError(
        'ERR_PAYLOAD_TOO_LARGE',
        `query ${JSON.stringify(request.name)} takes ${encoded} bytes on the wire, more than fits in a packet (packetBudgetBytes ${this.init.config.packetBudgetBytes} - ${PACKET_OVERHEAD_BYTES}); send less`,
      );
    if (this.closed || this.core.stopped) throw new ClusterError('ERR_NOT_RUNNING', 'cannot ask a query: the agent has stopped');
    const id = this.nextQueryId++;
    this.queryListeners.set(id, listener);
    this.drive({ type: 'query', id, request });
    return id;
  }

  /**
   * Our own `alive` (a refutation, a tag change) must fit in one packet, or we could never
   * refute a suspicion: refuse tags that do not fit with our name and address.
   */
  private checkAliveFits(tags: Tags): void {
    const room = this.init.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES;
    const size = this.deps.codec.sizeOf(M.alive(this.init.name, this.deps.transport.address, MAX_INCARNATION, tagsToWire(tags)));
    if (size > room)
      throw new ClusterError(
        'ERR_TAGS_TOO_LARGE',
        `tags, name and address make our alive message ${size} bytes, more than fits in a packet (packetBudgetBytes ${this.init.config.packetBudgetBytes} - ${PACKET_OVERHEAD_BYTES}): we could not refute a suspicion; use fewer or shorter tags`,
      );
  }

  /**
   * Far more refused datagrams in one probe interval than a healthy cluster ever sends us means a
   * flood: tell the core once per interval (see lagAwareness).
   */
  private countFlood(): void {
    const now = this.deps.scheduler.now();
    const windowMs = this.init.config.probeIntervalMs;
    if (now - this.floodWindowStart >= windowMs) {
      this.floodWindowStart = now;
      this.floodCount = 0;
    }
    if (++this.floodCount === FLOOD_DROPS_PER_INTERVAL) this.drive({ type: 'flood' });
  }

  /** Report our own event-loop delay (ms) over the last window; see lagAwareness. */
  reportLag(lagMs: number): void {
    this.drive({ type: 'lag', lagMs });
  }

  /** Stop at once: no more packets, no more wake-ups. */
  close(): void {
    this.closed = true;
    this.deps.scheduler.cancel();
    const listeners = [...this.queryListeners.values()];
    this.queryListeners.clear();
    for (const l of listeners) l.done(0);
  }

  private drive(input: Input): void {
    if (this.closed) return;
    const outs = this.core.step(input, this.deps.scheduler.now());
    for (const o of outs) this.apply(o);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.deps.scheduler.wakeAt(this.core.nextDeadline(), this.wake);
  }

  private apply(o: Output): void {
    switch (o.type) {
      case 'send': {
        const bytes = this.deps.codec.encode(o.messages);
        this.stats.packetsOut++;
        this.stats.bytesOut += bytes.length;
        this.stats.messagesOut += o.messages.length;
        this.deps.onSend?.(o.to, bytes, o.messages.length);
        this.deps.transport.send(o.to, bytes);
        return;
      }
      case 'event':
        this.deps.onEvent?.(o.event);
        return;
      case 'user-event':
        this.deps.onUserEvent?.(o.event);
        return;
      case 'query': {
        const q = o.query;
        const onQuery = this.deps.onQuery;
        if (!onQuery) return;
        const max = this.init.config.queryResponseMaxBytes;
        onQuery(q, (payload) => {
          if (!(payload instanceof Uint8Array)) throw new ClusterError('ERR_ARGUMENT', 'a query response must be a Uint8Array');
          if (payload.length > max)
            throw new ClusterError(
              'ERR_PAYLOAD_TOO_LARGE',
              `the response to query ${JSON.stringify(q.name)} is ${payload.length} bytes, more than queryResponseMaxBytes (${max})`,
            );
          const encoded = this.deps.codec.sizeOf(M.queryResponse(Number.MAX_SAFE_INTEGER, 0xffffffff, this.init.name, 1, payload, VALUE_LIMITS_ADDRESS));
          if (encoded > this.init.config.packetBudgetBytes - PACKET_OVERHEAD_BYTES)
            throw new ClusterError(
              'ERR_PAYLOAD_TOO_LARGE',
              `the response to query ${JSON.stringify(q.name)} takes ${encoded} bytes on the wire, more than fits in a packet (packetBudgetBytes ${this.init.config.packetBudgetBytes})`,
            );
          this.drive({ type: 'query-respond', key: q.key, payload });
        });
        return;
      }
      case 'query-answer':
        this.queryListeners.get(o.id)?.answer(o.kind, o.from, o.payload);
        return;
      case 'query-done': {
        const l = this.queryListeners.get(o.id);
        this.queryListeners.delete(o.id);
        l?.done(o.timeoutMs);
        return;
      }
      case 'note':
        this.deps.onNote?.(o.note);
        return;
      case 'join-result': {
        const cb = this.joinCallbacks.get(o.id);
        this.joinCallbacks.delete(o.id);
        if (!cb) return;
        if (o.ok) cb({ ok: true, contacted: o.contacted });
        else cb({ ok: false, error: new ClusterError('ERR_JOIN_FAILED', o.error) });
        return;
      }
      case 'left':
        for (const cb of this.leaveCallbacks.splice(0)) cb();
        return;
    }
  }
}

/**
 * Our own tags must pass the checks every receiver applies (values.ts), or nobody would take
 * them: refuse them here, with the key that is wrong, before anything changes.
 */
function checkOwnTags(tags: Tags, maxBytes: number): void {
  for (const [k, v] of Object.entries(tags)) {
    const why = tagKeyProblem(k) ?? tagValueProblem(v);
    if (why) throw new ClusterError('ERR_ARGUMENT', `tag ${JSON.stringify(k)}: ${why}`);
  }
  const bad = checkTags(tags, maxBytes);
  if (bad) throw new ClusterError('ERR_TAGS_TOO_LARGE', bad);
}

/**
 * Check a query before it is asked: what every receiver would refuse, and the size cap. Throws
 * ERR_ARGUMENT or ERR_PAYLOAD_TOO_LARGE naming the part at fault.
 */
export function checkQuery(request: QueryRequest, maxNameBytes: number, queryMaxBytes: number): void {
  const nameWhy = nameProblem(request.name, maxNameBytes);
  if (nameWhy) throw new ClusterError('ERR_ARGUMENT', `query name ${JSON.stringify(request.name)}: ${nameWhy}`);
  if (request.name === ANY_QUERY)
    throw new ClusterError('ERR_ARGUMENT', `query name "${ANY_QUERY}" is reserved: onQuery('${ANY_QUERY}') answers queries of any name`);
  if (!(request.payload instanceof Uint8Array)) throw new ClusterError('ERR_ARGUMENT', 'query payload must be a Uint8Array');
  for (const n of request.nodes) {
    const why = nameProblem(n);
    if (why) throw new ClusterError('ERR_ARGUMENT', `query node filter ${JSON.stringify(n)}: ${why}`);
  }
  for (const t of request.tags) {
    const why = tagKeyProblem(t.key);
    if (why) throw new ClusterError('ERR_ARGUMENT', `query tag filter key ${JSON.stringify(t.key)}: ${why}`);
    if (t.pattern.length > WIRE_LIMITS.maxPatternBytes)
      throw new ClusterError('ERR_ARGUMENT', `query tag filter ${t.key}: the pattern is over ${WIRE_LIMITS.maxPatternBytes} characters`);
    try {
      new RegExp(t.pattern, 'u');
    } catch (e) {
      throw new ClusterError('ERR_ARGUMENT', `query tag filter ${t.key}=${t.pattern}: not a regular expression (${(e as Error).message})`);
    }
  }
  const filters = filtersToWire(request);
  if (filters.length > WIRE_LIMITS.maxFilterItems)
    throw new ClusterError(
      'ERR_ARGUMENT',
      `too many query filters (at most ${WIRE_LIMITS.maxFilterItems / 3} tag filters or ${WIRE_LIMITS.maxFilterItems / 2} nodes)`,
    );
  if (!Number.isInteger(request.relay) || request.relay < 0 || request.relay > WIRE_LIMITS.maxRelay)
    throw new ClusterError('ERR_ARGUMENT', `relay factor must be an integer from 0 to ${WIRE_LIMITS.maxRelay}, got ${request.relay}`);
  if (!Number.isInteger(request.timeoutMs) || request.timeoutMs < 0 || request.timeoutMs > WIRE_LIMITS.maxQueryTimeoutMs)
    throw new ClusterError('ERR_ARGUMENT', `query timeout must be 0 (default) to ${WIRE_LIMITS.maxQueryTimeoutMs} ms, got ${request.timeoutMs}`);
  const encoder = new TextEncoder();
  const size = encoder.encode(request.name).length + request.payload.length + filters.reduce((n, f) => n + encoder.encode(f).length, 0);
  if (size > queryMaxBytes)
    throw new ClusterError(
      'ERR_PAYLOAD_TOO_LARGE',
      `query ${JSON.stringify(request.name)} is ${size} bytes (name + payload + filters), more than queryMaxBytes (${queryMaxBytes}); send less, or raise queryMaxBytes on every agent`,
    );
}
