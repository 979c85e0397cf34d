/**
 * Event handlers, as Serf's `-event-handler`: `--handler member-join,member-failed=./on-change.sh`
 * runs the script (through /bin/sh -c) for each matching event, with the event on stdin and in
 * environment variables. Bounded: at most `concurrency` scripts at once, at most `maxQueued`
 * waiting (beyond, an event is dropped and logged), each killed (its process group, by PID)
 * after `timeoutMs`. Failures (exit code, signal, timeout, spawn error) are logged with the tail
 * of the script's stderr; they never reach the agent.
 *
 * Event kinds, the filter words of a spec and the value of PHANTOM_EVENT:
 *   member-join, member-leave, member-failed, member-update, member-suspect, member-alive
 *   user (any user event), user:NAME        query (any query), query:NAME
 * A spec without `=` (`--handler ./all.sh`) or the filter `*` matches every kind. User events
 * and queries come from the event parts of the agent: they call `dispatch` with kind `user` or
 * `query`, a `name` and a `payload`; `runQuery` gives a query handler's stdout as the response.
 *
 * stdin: for member events one line per member, `name<TAB>address<TAB>status<TAB>tags` (tags as
 * k=v,k=v), as Serf's; member events of one kind close together are coalesced into one run
 * (coalesceMs); for user events and queries, the payload bytes.
 * Environment: PHANTOM_EVENT, PHANTOM_SELF_NAME, PHANTOM_SELF_ADDRESS, PHANTOM_TAG_<KEY> (our
 * tags, key upper-cased, non-alphanumerics as _), and PHANTOM_USER_EVENT / PHANTOM_QUERY_NAME
 * with the name (plus PHANTOM_USER_LTIME / PHANTOM_QUERY_LTIME when the caller gives an ltime).
 */
import { spawn } from 'node:child_process';
import { ClusterError } from '../errors.js';
import { ANY_QUERY } from './query-stream.js';
import type { Member } from '../core/types.js';

/** Member event kinds, mapped from the agent's member event types. */
export const MEMBER_EVENT_KINDS = {
  join: 'member-join',
  left: 'member-leave',
  failed: 'member-failed',
  update: 'member-update',
  suspect: 'member-suspect',
  alive: 'member-alive',
} as const;

const MEMBER_KINDS: ReadonlySet<string> = new Set(Object.values(MEMBER_EVENT_KINDS));

export interface HandlerSpec {
  /** Filters: a kind (`member-join`), `user` / `query` (any name), `user:NAME` / `query:NAME`, or `*`. */
  readonly filters: readonly string[];
  /** The command, run with /bin/sh -c. */
  readonly command: string;
}

/** One event given to the handlers. */
export interface HandlerEvent {
  /** `member-join`, ..., `user`, `query`. */
  readonly kind: string;
  /** The user event's or query's name. */
  readonly name?: string;
  /** The members of a member event. */
  readonly members?: readonly Member[];
  /** The user event's or query's payload. */
  readonly payload?: Uint8Array;
  /** The Lamport time of a user event or query, if it has one. */
  readonly ltime?: number;
}

export interface HandlerLimits {
  /** Scripts running at once. Default 4. */
  readonly concurrency: number;
  /** Milliseconds a script may run before its process group is killed. Default 30000. */
  readonly timeoutMs: number;
  /** Runs waiting for a slot; beyond, new events are dropped (and logged). Default 256. */
  readonly maxQueued: number;
  /** Bytes of a query handler's stdout kept as the response. Default 1024. */
  readonly maxOutputBytes: number;
  /**
   * Member events of one kind within this many milliseconds of the first make one run, every
   * member a line on stdin (Serf coalesces member events too): a join of 100 members is one run,
   * not 100. 0 = one run per event. Default 200.
   */
  readonly coalesceMs: number;
}

export const DEFAULT_HANDLER_LIMITS: HandlerLimits = { concurrency: 4, timeoutMs: 30_000, maxQueued: 256, maxOutputBytes: 1024, coalesceMs: 200 };
/** Members in one coalesced run at most; a bigger burst makes more runs. */
const MAX_BATCH = 1024;

/** Parse `member-join,member-failed=./on-change.sh` or `./all.sh`; ERR_ARGUMENT naming what is wrong. */
export function parseHandlerSpec(text: string): HandlerSpec {
  const at = text.indexOf('=');
  const head = at < 0 ? '' : text.slice(0, at);
  // A command may hold `=` itself (`FOO=1 ./x.sh`): only a list of known filter words is a filter.
  const words = head.split(',').map((w) => w.trim());
  const isFilterList = at > 0 && words.every(isFilterWord);
  const command = (isFilterList ? text.slice(at + 1) : text).trim();
  if (command === '') throw new ClusterError('ERR_ARGUMENT', `handler ${JSON.stringify(text)}: give a command, e.g. member-join,member-failed=./on-change.sh`);
  if (at > 0 && !isFilterList && /^[a-z*:,-]+$/i.test(head)) {
    const bad = words.find((w) => !isFilterWord(w));
    throw new ClusterError(
      'ERR_ARGUMENT',
      `handler ${JSON.stringify(text)}: unknown event ${JSON.stringify(bad)}; events are ${[...MEMBER_KINDS].join(', ')}, user, user:NAME, query, query:NAME, *`,
    );
  }
  return { filters: isFilterList ? words : ['*'], command };
}

function isFilterWord(w: string): boolean {
  return w === '*' || MEMBER_KINDS.has(w) || w === 'user' || w === 'query' || /^(user|query):[^\s,=]+$/.test(w);
}

/** Does a spec take this event? */
export function matches(spec: HandlerSpec, e: HandlerEvent): boolean {
  return spec.filters.some((f) => f === '*' || f === e.kind || (e.name !== undefined && f === `${e.kind}:${e.name}`));
}

/** What the runner needs of its agent. */
export interface HandlerHost {
  self(): Member;
  log: { warn(o: object, msg: string): void; debug(o: object, msg: string): void };
}

/** How one run ended. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: Buffer;
}

export class HandlerRunner {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly children = new Set<number>();
  private closed = false;
  /** Counts for `phantom info` and the tests. */
  readonly counts = { runs: 0, failures: 0, timeouts: 0, dropped: 0 };

  private readonly limits: HandlerLimits;

  constructor(
    private readonly specs: readonly HandlerSpec[],
    private readonly host: HandlerHost,
    limits: Partial<HandlerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_HANDLER_LIMITS, ...limits };
  }

  get size(): number {
    return this.specs.length;
  }

  /** Run every matching handler for the event (fire and forget; outcomes are logged). */
  dispatch(e: HandlerEvent): void {
    for (const spec of this.specs) if (matches(spec, e)) void this.enqueue(spec, e);
  }

  /**
   * The hook for queries: run the first handler for `query:NAME`, else the first for `query` or
   * `*` (a named handler wins wherever it is listed), and give its stdout, capped at
   * maxOutputBytes, as the response; undefined when none matches or it fails.
   */
  async runQuery(name: string, payload: Uint8Array, ltime?: number): Promise<Uint8Array | undefined> {
    const e: HandlerEvent = { kind: 'query', name, payload, ...(ltime !== undefined ? { ltime } : {}) };
    const named = `query:${name}`;
    const spec = this.specs.find((s) => s.filters.includes(named)) ?? this.specs.find((s) => matches(s, e));
    if (!spec) return undefined;
    const r = await this.enqueue(spec, e);
    return r && r.code === 0 ? r.stdout : undefined;
  }

  /** Kill every running script (by its process group) and drop what waits. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const pid of this.children) killGroup(pid);
    this.children.clear();
  }

  private enqueue(spec: HandlerSpec, e: HandlerEvent): Promise<RunResult | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.running >= this.limits.concurrency && this.queue.length >= this.limits.maxQueued) {
      this.counts.dropped++;
      this.host.log.warn(
        { handler: spec.command, event: e.kind, queued: this.queue.length },
        'event handler queue full: event dropped (handlers too slow for the event rate?)',
      );
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const start = (): void => {
        this.running++;
        this.run(spec, e).then(
          (r) => {
            this.running--;
            this.queue.shift()?.();
            resolve(r);
          },
          () => {
            this.running--;
            this.queue.shift()?.();
            resolve(undefined);
          },
        );
      };
      if (this.running < this.limits.concurrency) start();
      else this.queue.push(start);
    });
  }

  private run(spec: HandlerSpec, e: HandlerEvent): Promise<RunResult> {
    this.counts.runs++;
    const self = this.host.self();
    const env: NodeJS.ProcessEnv = { ...process.env, PHANTOM_EVENT: e.kind, PHANTOM_SELF_NAME: self.name, PHANTOM_SELF_ADDRESS: self.address };
    for (const [k, v] of Object.entries(self.tags)) env[`PHANTOM_TAG_${k.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = v;
    if (e.kind === 'user' && e.name !== undefined) env.PHANTOM_USER_EVENT = e.name;
    if (e.kind === 'query' && e.name !== undefined) env.PHANTOM_QUERY_NAME = e.name;
    if (e.ltime !== undefined) env[e.kind === 'query' ? 'PHANTOM_QUERY_LTIME' : 'PHANTOM_USER_LTIME'] = String(e.ltime);
    const stdin = e.members ? Buffer.from(e.members.map(memberLine).join('')) : Buffer.from(e.payload ?? new Uint8Array());
    return new Promise((resolve) => {
      // Its own process group, so a timeout kills what the script started too.
      const child = spawn('/bin/sh', ['-c', spec.command], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const pid = child.pid;
      if (pid !== undefined) this.children.add(pid);
      const out: Buffer[] = [];
      let outBytes = 0;
      let errTail = '';
      let timedOut = false;
      child.stdout.on('data', (c: Buffer) => {
        if (outBytes < this.limits.maxOutputBytes) out.push(c.subarray(0, this.limits.maxOutputBytes - outBytes));
        outBytes += c.length;
      });
      child.stderr.on('data', (c: Buffer) => void (errTail = (errTail + c.toString('utf8')).slice(-2048)));
      child.stdin.on('error', () => undefined); // a script that does not read its stdin
      child.stdin.end(stdin);
      const timer = setTimeout(() => {
        timedOut = true;
        if (pid !== undefined) killGroup(pid);
      }, this.limits.timeoutMs);
      let spawnError: Error | undefined;
      child.on('error', (err) => (spawnError = err));
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (pid !== undefined) this.children.delete(pid);
        const fields = { handler: spec.command, event: e.kind, ...(e.name !== undefined ? { name: e.name } : {}) };
        if (timedOut) {
          this.counts.timeouts++;
          this.counts.failures++;
          this.host.log.warn({ ...fields, timeoutMs: this.limits.timeoutMs, stderr: errTail || undefined }, 'event handler timed out: killed');
        } else if (spawnError || code !== 0) {
          this.counts.failures++;
          this.host.log.warn({ ...fields, code, signal, error: spawnError?.message, stderr: errTail || undefined }, 'event handler failed');
        } else {
          this.host.log.debug(fields, 'event handler ran');
        }
        resolve({ code, signal, timedOut, stdout: Buffer.concat(out) });
      });
    });
  }
}

function memberLine(m: Member): string {
  const tags = Object.entries(m.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const status = m.state === 'dead' ? 'failed' : m.state;
  return `${m.name}\t${m.address}\t${status}\t${tags}\n`;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** What attachHandlers needs of an agent: its member events, itself, its log. */
export interface HandlerAgent extends HandlerHost {
  on(type: keyof typeof MEMBER_EVENT_KINDS, fn: (e: { member: Member }) => void): () => void;
}

/**
 * Run `specs` on the agent's member events; returns the runner (its `dispatch` takes user events
 * and queries, its `runQuery` answers queries) and a stop function that unsubscribes and kills
 * what still runs. With no specs, nothing is subscribed.
 */
export function attachHandlers(
  agent: HandlerAgent,
  specs: readonly HandlerSpec[],
  limits: Partial<HandlerLimits> = {},
): { runner: HandlerRunner; stop: () => void } {
  const all = { ...DEFAULT_HANDLER_LIMITS, ...limits };
  const runner = new HandlerRunner(specs, agent, all);
  // Per kind: the members waiting (the latest row of each) and the timer that sends them.
  const batches = new Map<string, { members: Map<string, Member>; timer: NodeJS.Timeout }>();
  const flush = (kind: string): void => {
    const b = batches.get(kind);
    if (!b) return;
    clearTimeout(b.timer);
    batches.delete(kind);
    runner.dispatch({ kind, members: [...b.members.values()] });
  };
  const onMember = (kind: string, m: Member): void => {
    if (all.coalesceMs <= 0) return runner.dispatch({ kind, members: [m] });
    let b = batches.get(kind);
    if (!b) batches.set(kind, (b = { members: new Map(), timer: setTimeout(() => flush(kind), all.coalesceMs) }));
    b.members.set(m.name, m);
    if (b.members.size >= MAX_BATCH) flush(kind);
  };
  const offs =
    specs.length === 0
      ? []
      : (Object.keys(MEMBER_EVENT_KINDS) as (keyof typeof MEMBER_EVENT_KINDS)[]).map((t) => agent.on(t, (e) => onMember(MEMBER_EVENT_KINDS[t], e.member)));
  return {
    runner,
    stop: () => {
      for (const off of offs) off();
      for (const b of batches.values()) clearTimeout(b.timer);
      batches.clear();
      runner.close();
    },
  };
}

/** What user-event and query handlers need of an agent. */
export interface MessageHandlerAgent {
  on(type: 'event', fn: (e: { readonly name: string; readonly payload: Uint8Array; readonly ltime: number }) => void): () => void;
  onQuery(
    name: string,
    handler: (q: { readonly name: string; readonly payload: Uint8Array; readonly ltime: number }) => Promise<Uint8Array | undefined>,
  ): () => void;
}

/**
 * Route the agent's user events to the handlers that ask for them (`user`, `user:NAME`, `*`), and
 * answer queries with a handler's stdout: each name in a `query:NAME` filter by name, and with a
 * bare `query` or `*` filter every other name too (the agent's `'*'` query handler). Returns the
 * unsubscribe.
 */
export function attachMessageHandlers(agent: MessageHandlerAgent, runner: HandlerRunner, specs: readonly HandlerSpec[]): () => void {
  const filters = specs.flatMap((s) => s.filters);
  const offs: (() => void)[] = [];
  if (filters.some((f) => f === '*' || f === 'user' || f.startsWith('user:'))) {
    offs.push(agent.on('event', (e) => runner.dispatch({ kind: 'user', name: e.name, payload: e.payload, ltime: e.ltime })));
  }
  for (const name of new Set(filters.filter((f) => f.startsWith('query:')).map((f) => f.slice('query:'.length)))) {
    offs.push(agent.onQuery(name, (q) => runner.runQuery(q.name, q.payload, q.ltime)));
  }
  if (filters.some((f) => f === '*' || f === 'query')) {
    offs.push(agent.onQuery(ANY_QUERY, (q) => runner.runQuery(q.name, q.payload, q.ltime)));
  }
  return () => {
    for (const off of offs) off();
  };
}
