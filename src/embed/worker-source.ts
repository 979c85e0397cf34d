/**
 * The main thread's side of an agent in a worker thread: a MembershipSource whose members come
 * from a mirror that the worker's event batches keep, so `members()`, and the Cluster's ring and
 * balancer fed by the same events, answer with no round trip. Operations (tags, stats, join,
 * leave) are messages; `setTags` checks its argument here first, so it throws as the in-loop
 * agent does.
 */
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AgentHealth, AgentState } from '../agent/health.js';
import { agentHealth } from '../agent/health.js';
import type { AgentEvents } from '../agent/agent.js';
import { eventFields, TypedEmitter } from '../agent/events.js';
import type { Logger } from '../agent/log.js';
import { checkTags } from '../core/tags.js';
import type { Member, MemberEvent, MemberEventType, Tags } from '../core/types.js';
import type { Coordinate } from '../core/coordinate.js';
import type { UserEventData } from '../core/io.js';
import type { IncomingQueryEvent } from '../agent/agent.js';
import { nameProblem } from '../wire/values.js';
import type { QueryHandler, QueryOptions } from '../agent/agent.js';
import { ANY_QUERY, QueryStream, toQueryRequest } from '../agent/query-stream.js';
import { checkQuery } from '../agent/driver.js';
import { ClusterError } from '../errors.js';
import type { ClusterStats, MembershipSource } from '../membership-source.js';
import { MainThreadBeat } from './host-watch.js';
import type { Call, FromWorker, ToWorker, WireError, WorkerInit, WorkerStats } from './messages.js';

/** Where the worker's log lines go: the host's logger, or stdout. */
export type LineSink = (line: string) => void;

/** How long the worker may take to start and join before Cluster.start gives up (ms). */
const START_TIMEOUT_MS = 30_000;

/**
 * The worker's entry next to this file. Run from TypeScript sources (tsx), the worker must load
 * tsx itself: Node does not pass `--import` hooks on to worker threads.
 */
function spawnWorker(init: WorkerInit): Worker {
  const ext = extname(new URL(import.meta.url).pathname);
  const entry = new URL(`./agent-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** The agent's caps, so calls are checked here and throw as the in-loop agent's do. */
export interface WorkerLimits {
  readonly maxTagsBytes: number;
  readonly maxEventBytes: number;
  readonly maxNameBytes: number;
  readonly queryMaxBytes: number;
  readonly queryResponseMaxBytes: number;
}

export class WorkerSource implements MembershipSource {
  private readonly streams = new Map<number, QueryStream>();
  private nextQid = 1;
  private readonly queryHandlers = new Map<string, QueryHandler>();
  readonly name: string;
  readonly address: string;
  readonly adminAddress: string | undefined;
  private readonly mirror = new Map<string, Member>();
  /** The worker's network coordinates as last reported (they change without member events). */
  private coordinates = new Map<string, Coordinate>();
  private readonly emitter: TypedEmitter<AgentEvents>;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private state: AgentState = 'running';
  private awarenessScore: number;
  private busy = false;
  private exited = false;
  /** ms to add to a worker `performance.now()` to get ours (each thread has its own origin). */
  private readonly clockOffset: number;

  private constructor(
    private readonly worker: Worker,
    private readonly beat: MainThreadBeat,
    private readonly limits: WorkerLimits,
    private readonly log: Logger,
    ready: Extract<FromWorker, { t: 'ready' }>,
  ) {
    this.name = ready.name;
    this.address = ready.address;
    this.adminAddress = ready.admin;
    this.awarenessScore = ready.awareness;
    this.clockOffset = ready.timeOrigin - performance.timeOrigin;
    for (const m of ready.members) this.mirror.set(m.name, this.local(m));
    this.emitter = new TypedEmitter<AgentEvents>((err, type, e) => log.error({ err, ...eventFields(type, e) }, 'an event listener threw'));
  }

  /** Start the worker and resolve once its agent runs (and its admin API listens, if asked). */
  static start(init: Omit<WorkerInit, 'beat'>, limits: WorkerLimits, log: Logger, lines: LineSink): Promise<WorkerSource> {
    const beat = new MainThreadBeat(init.beatMs);
    const worker = spawnWorker({ ...init, beat: beat.buffer });
    return new Promise((resolve, reject) => {
      let source: WorkerSource | undefined;
      const fail = (e: Error): void => {
        clearTimeout(timer);
        beat.stop();
        void worker.terminate();
        reject(e);
      };
      const timer = setTimeout(() => fail(new ClusterError('ERR_WORKER', `the agent worker did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      worker.on('message', (m: FromWorker) => {
        if (source) return source.receive(m);
        if (m.t === 'log') return lines(m.line);
        if (m.t === 'fatal') return fail(new ClusterError(m.error.code, m.error.message));
        if (m.t !== 'ready') return;
        clearTimeout(timer);
        source = new WorkerSource(worker, beat, limits, log, m);
        source.lines = lines;
        resolve(source);
      });
      worker.on('error', (e) => (source ? source.died(e) : fail(new ClusterError('ERR_WORKER', `the agent worker failed to start: ${e.message}`))));
      worker.on('exit', (code) => (source ? source.onExit(code) : fail(new ClusterError('ERR_WORKER', `the agent worker exited at start (code ${code})`))));
    });
  }

  private lines: LineSink = () => {};

  members(): Member[] {
    const rows = [...this.mirror.values()];
    if (this.coordinates.size === 0) return rows;
    return rows.map((m) => {
      const coordinate = this.coordinates.get(m.name);
      return coordinate ? { ...m, coordinate } : m;
    });
  }
  on(type: MemberEventType, fn: (e: MemberEvent) => void): () => void {
    return this.emitter.on(type, fn);
  }
  awareness(): number {
    return this.awarenessScore;
  }
  agentHealth(): AgentHealth {
    return agentHealth(this.state, this.name, this.members());
  }
  /** True while the worker sees the main thread busy (as last reported). */
  get mainThreadBusy(): boolean {
    return this.busy;
  }

  setTags(tags: Tags): void {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot set tags: the agent is ${this.state}`);
    const bad = checkTags(tags, this.limits.maxTagsBytes);
    if (bad) throw new ClusterError('ERR_TAGS_TOO_LARGE', bad);
    this.call({ op: 'setTags', tags: { ...tags } }).catch((e: unknown) => this.log.error({ err: e }, 'the agent worker could not set the tags'));
  }

  /**
   * Checks its arguments here, so a bad call throws as the in-loop agent does; the event is
   * sent by the worker.
   */
  event(name: string, payload: Uint8Array, coalesce: boolean): void {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot send an event: the agent is ${this.state}`);
    const why = nameProblem(name);
    if (why) throw new ClusterError('ERR_ARGUMENT', `event name ${JSON.stringify(name)}: ${why}`);
    const size = new TextEncoder().encode(name).length + payload.length;
    const max = this.limits.maxEventBytes;
    if (size > max)
      throw new ClusterError(
        'ERR_PAYLOAD_TOO_LARGE',
        `user event ${JSON.stringify(name)} is ${size} bytes (name + payload), more than userEventMaxBytes (${max}); send less, or raise userEventMaxBytes on every agent`,
      );
    this.call({ op: 'event', name, payload, coalesce }).catch((e: unknown) => this.log.error({ err: e }, 'the agent worker could not send the event'));
  }
  onUserEvent(fn: (e: UserEventData) => void): () => void {
    return this.emitter.on('event', fn);
  }

  query(name: string, payload: Uint8Array, opts: QueryOptions): QueryStream {
    if (this.state !== 'running') throw new ClusterError('ERR_NOT_RUNNING', `cannot ask a query: the agent is ${this.state}`);
    const request = toQueryRequest(name, payload, opts);
    checkQuery(request, this.limits.maxNameBytes, this.limits.queryMaxBytes);
    const qid = this.nextQid++;
    const stream = new QueryStream();
    this.streams.set(qid, stream);
    this.call({ op: 'query', qid, request }).catch((e: unknown) => {
      this.streams.delete(qid);
      stream.end(0);
      this.log.error({ err: e, query: name }, 'the agent worker could not ask the query');
    });
    return stream;
  }

  onQuery(name: string, handler: QueryHandler): () => void {
    this.queryHandlers.set(name, handler);
    this.call({ op: 'on-query', name, on: true }).catch((e: unknown) =>
      this.log.error({ err: e, query: name }, 'the agent worker could not take the query handler'),
    );
    return () => {
      if (this.queryHandlers.get(name) !== handler) return;
      this.queryHandlers.delete(name);
      this.call({ op: 'on-query', name, on: false }).catch(() => {});
    };
  }

  /** Run our handler for a query the worker received, and send back its answer (or none). */
  private answerQuery(key: number, q: IncomingQueryEvent): void {
    const reply = (r: Uint8Array | string | undefined | undefined): void => {
      let payload = r === undefined ? undefined : typeof r === 'string' ? new TextEncoder().encode(r) : r;
      if (payload && payload.length > this.limits.queryResponseMaxBytes) {
        this.log.error(
          { query: q.name, bytes: payload.length, queryResponseMaxBytes: this.limits.queryResponseMaxBytes },
          'a query handler answered more than queryResponseMaxBytes; no response sent',
        );
        payload = undefined;
      }
      this.call({ op: 'query-respond', key, payload }).catch(() => {});
    };
    const handler = this.queryHandlers.get(q.name) ?? this.queryHandlers.get(ANY_QUERY);
    if (!handler) return reply(undefined);
    try {
      const r = handler(q);
      if (r instanceof Promise)
        r.then(reply, (err: unknown) => {
          this.log.error({ err, query: q.name, from: q.from }, 'a query handler failed');
          reply(undefined);
        });
      else reply(r);
    } catch (err) {
      this.log.error({ err, query: q.name, from: q.from }, 'a query handler failed');
      reply(undefined);
    }
  }

  async stats(): Promise<ClusterStats> {
    const s = (await this.call({ op: 'stats' })) as WorkerStats;
    return { ...s.agent, isolate: 'worker', mainThread: s.mainThread };
  }

  join(seeds: readonly string[]): Promise<number> {
    return this.call({ op: 'join', seeds: [...seeds] }) as Promise<number>;
  }

  async leave(): Promise<void> {
    this.closing = true;
    try {
      if (!this.exited) await this.call({ op: 'leave' });
    } finally {
      await this.end();
    }
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    if (!this.exited) await this.call({ op: 'shutdown' }).catch(() => {});
    await this.end();
  }

  /** We asked the worker to stop, and wait for its reply before ending it. */
  private closing = false;

  private ending: Promise<void> | undefined;
  private end(): Promise<void> {
    return (this.ending ??= (async () => {
      this.beat.stop();
      if (this.state !== 'left') this.state = 'stopped';
      await this.worker.terminate();
    })());
  }

  private call(call: Call): Promise<unknown> {
    if (this.exited) return Promise.reject(new ClusterError('ERR_NOT_RUNNING', 'the agent worker has exited'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ t: 'call', id, call } satisfies ToWorker);
    });
  }

  private receive(m: FromWorker): void {
    switch (m.t) {
      case 'events':
        for (const e of m.events) {
          const local: MemberEvent = { ...e, member: this.local(e.member) };
          this.mirror.set(local.member.name, local.member);
          this.emitter.emit(local.type, local);
        }
        return;
      case 'user-event':
        this.emitter.emit('event', m.event);
        return;
      case 'query-answer':
        this.streams.get(m.qid)?.push(m.answer);
        return;
      case 'query-done':
        this.streams.get(m.qid)?.end(m.timeoutMs);
        this.streams.delete(m.qid);
        return;
      case 'query-in':
        return this.answerQuery(m.key, m.query);
      case 'status':
        this.state = m.state;
        this.awarenessScore = m.awareness;
        this.busy = m.mainThreadBusy;
        // Stopped from the admin API (POST /v1/leave): nothing is left for the worker to do.
        if (m.state === 'stopped' && !this.closing) void this.end();
        return;
      case 'reply': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(toError(m.error));
        return;
      }
      case 'log':
        return this.lines(m.line);
      case 'coordinates':
        this.coordinates = new Map(m.coordinates);
        return;
      case 'fatal':
        return this.died(toError(m.error));
      case 'ready':
        return;
    }
  }

  private died(e: Error): void {
    this.log.error({ err: e }, 'the agent worker failed; this member is stopped');
  }

  private onExit(code: number): void {
    this.exited = true;
    this.beat.stop();
    if (this.state === 'running' || this.state === 'leaving') {
      this.state = 'stopped';
      this.log.error({ code }, 'the agent worker exited unexpectedly; this member is stopped');
    }
    for (const p of this.pending.values()) p.reject(new ClusterError('ERR_NOT_RUNNING', 'the agent worker has exited'));
    for (const s of this.streams.values()) s.end(0);
    this.streams.clear();
    this.pending.clear();
  }

  /** A member with its time on our clock. */
  private local(m: Member): Member {
    return { ...m, stateChangedAt: m.stateChangedAt + this.clockOffset };
  }
}

function toError(e: WireError): ClusterError {
  return new ClusterError(e.code, e.message);
}
