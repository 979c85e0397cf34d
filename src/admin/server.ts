/**
 * The HTTP admin API (node:http), on 127.0.0.1 by default: JSON under /v1 and Prometheus text
 * at /metrics. It gets the narrow functions it serves, not the agent. Request bodies are capped
 * (ADMIN_MAX_BODY_BYTES); every error is a JSON `{ error: { code, message } }` with a 4xx/5xx.
 *
 * The routes are the table in routes.ts; what each answers is docs/AGENT.md's endpoint table (a
 * test holds the two equal). GET / is the dashboard page (served without the token, see
 * dashboard/serve.ts).
 *
 * Every request first passes request-guard.ts: a loopback or allowed Host (403), no foreign
 * Origin (403), and on POST `Content-Type: application/json` (415). With a token (`phantom
 * agent` always has one, see token.ts), every request but the static page must then carry
 * `Authorization: Bearer <token>` (401 otherwise), compared in constant time. Without a token
 * the server only listens on loopback.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AgentHealth, AgentStats } from '../agent/agent.js';
import type { HistoryEntry } from '../agent/history.js';
import { MEMBER_STATUSES, statusOf, type MemberStatus } from '../member-status.js';
import { ClusterError, type ErrorCode } from '../errors.js';
import type { Member, Tags } from '../core/types.js';
import { byDistance, type Coordinate } from '../core/coordinate.js';
import { parseHostPort, formatHostPort } from '../transport/address.js';
import { checkContentType, checkHostAndOrigin, isLoopbackHost, type Refusal } from './request-guard.js';
import { serveDashboard } from './dashboard/serve.js';
import { DEFAULT_STREAM_LIMITS, EventStreams, LOG_LEVEL_NUMBERS, type StreamLimits } from './event-stream.js';
import type { MonitorListener } from '../agent/monitor.js';
import type { LogLevel } from '../agent/agent-config.js';
import type { RingSummary } from '../ring/summary.js';
import type { QueryOptions, QueryStream } from '../agent/query-stream.js';
import { matchRoute, type RouteName } from './routes.js';

/** Largest request body accepted (bytes). */
export const ADMIN_MAX_BODY_BYTES = 64 * 1024;

/** What the admin API serves; `phantom agent` wires these to the agent. */
export interface AdminDeps {
  members(): readonly Member[];
  member(name: string): Member | undefined;
  history(name: string): readonly HistoryEntry[];
  self(): Member;
  stats(): AgentStats;
  health(): AgentHealth;
  /** Configuration and identity for `phantom info`. */
  info(): Record<string, unknown>;
  join(addrs: readonly string[]): Promise<number>;
  /** Graceful leave; the process may exit after the response is sent. */
  leave(): Promise<void>;
  setTags(tags: Tags): void;
  /** Serf's force-leave of a failed member (`phantom force-leave`); throws ERR_NO_MEMBER / ERR_NOT_FAILED. */
  forceLeave?(name: string, prune: boolean): Member;
  /** Follow log lines (at `level` and above) and member events (`GET /v1/events`); absent: the endpoint answers 404. */
  monitor?(fn: MonitorListener, level?: LogLevel): () => void;
  /** Send a user event to every member (`phantom event`); absent when the agent cannot. */
  event?(name: string, payload: Uint8Array, coalesce: boolean): void;
  /** Ask a query (`phantom query`); absent when the agent cannot. */
  query?(name: string, payload: Uint8Array, opts: QueryOptions): QueryStream;
  /** Owners of a key (the shard map's `lookup`), or undefined when no ring or shard map is kept. */
  lookup?(key: string, n: number): readonly string[];
  /** The ring and shard map summary for `GET /v1/ring`, or undefined when no ring is kept. */
  ring?(): RingSummary;
  /** Milliseconds on the clock of Member.stateChangedAt. */
  now(): number;
  /** The `/metrics` text; default: the agent metrics of `stats()` without process metrics. */
  metrics?(): Promise<string>;
  /** A cluster-wide key operation (`phantom keys`); absent when the agent has no keyring support. */
  keys?(op: 'list' | 'install' | 'use' | 'remove', key?: string, opts?: { local?: boolean }): Promise<unknown>;
}

/** Options of the admin server that are not what it serves. */
export interface AdminOptions {
  /** Bearer token required on every request; undefined = none (only allowed on a loopback address). */
  readonly token?: string | undefined;
  /** Host header values accepted besides loopback and the bound address: `name` or `name:port`. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Bounds of `GET /v1/events`; default DEFAULT_STREAM_LIMITS (8 streams, 256 KiB queued each, keep-alive every 15 s). */
  readonly streams?: Partial<StreamLimits>;
}

/** The JSON shape of a member (`phantom members --json` prints an array of these). */
export interface MemberJson {
  name: string;
  addr: string;
  status: MemberStatus;
  incarnation: number;
  tags: Tags;
  /** Milliseconds since this agent saw the status change. */
  sinceMs: number;
  /** Its network coordinate as this agent last heard it (ms units); absent until heard. */
  coordinate?: Coordinate;
}

export function memberJson(m: Member, now: number): MemberJson {
  return {
    name: m.name,
    addr: m.address,
    status: statusOf(m.state),
    incarnation: m.incarnation,
    tags: m.tags,
    sinceMs: Math.max(0, Math.round(now - m.stateChangedAt)),
    ...(m.coordinate ? { coordinate: m.coordinate } : {}),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const STATUSES: ReadonlySet<string> = new Set(MEMBER_STATUSES);

export interface AdminServer {
  /** `host:port` the server listens on (port resolved when 0 was asked). */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Listen on `listen` (`host:port`). Rejects with ERR_BIND when the port is taken or the address
 * is not ours, saying to pick another with --admin; with ERR_CONFIG for a non-loopback address
 * without a token.
 */
export async function startAdminServer(listen: string, deps: AdminDeps, opts: AdminOptions = {}): Promise<AdminServer> {
  const hp = parseHostPort(listen, 'admin', { host: '127.0.0.1', port: 7947 });
  if (opts.token === undefined && !isLoopbackHost(hp.host)) {
    throw new ClusterError(
      'ERR_CONFIG',
      `admin ${listen}: an admin API on a non-loopback address needs a token (adminToken, --admin-token or PHANTOM_ADMIN_TOKEN)`,
    );
  }
  const want = opts.token === undefined ? undefined : digest(opts.token);
  const allowedHosts = opts.allowedHosts ?? [];
  const streams = new EventStreams({ ...DEFAULT_STREAM_LIMITS, ...opts.streams });
  const server = createServer((req, res) => {
    const a = server.address();
    const port = a && typeof a === 'object' ? a.port : hp.port;
    const refused = checkHostAndOrigin(req.headers, { boundHost: hp.host, port, allowedHosts });
    if (refused) return refuse(res, refused);
    // The dashboard page at / is static and holds no data; it asks for the token itself.
    if (serveDashboard(req, res)) return;
    if (want && !authorized(req, want)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, {
        error: {
          code: 'ERR_UNAUTHORIZED',
          message:
            "this agent requires its admin token as 'Authorization: Bearer TOKEN'. phantom commands on the agent's host find it themselves; elsewhere set PHANTOM_ADMIN_TOKEN or --token (see docs/AGENT.md, Admin token)",
        },
      });
    }
    handle(req, res, deps, streams).catch((e: unknown) => sendError(res, e));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE' ? 'the port is in use (another agent on this host?)' : e.code === 'EADDRNOTAVAIL' ? 'not an address of this host' : e.message;
      reject(new ClusterError('ERR_BIND', `cannot open the admin API on ${listen}: ${why}. Pick another with --admin host:port`));
    });
    server.listen(hp.port, hp.host, () => resolve());
  });
  const a = server.address();
  const address = a && typeof a === 'object' ? formatHostPort(a.address, a.port) : listen;
  return { address, close: () => closeServer(server) };
}

/** Hash first so the comparison is constant-time whatever the lengths. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function authorized(req: IncomingMessage, want: Buffer): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m !== null && timingSafeEqual(digest(m[1]!.trim()), want);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What a handler gets: the request, its URL, the route's decoded params, and what the API serves. */
interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly d: AdminDeps;
  readonly streams: EventStreams;
}

type Handler = (c: Call) => void | Promise<void>;

/** One handler per route of routes.ts: a route added there does not compile until it is served here. */
const HANDLERS: { readonly [N in RouteName]: Handler } = {
  async metrics({ res, d }) {
    // prom-client is loaded at the first scrape, not at every agent's start (bench/STARTUP.md).
    const text = d.metrics ? await d.metrics() : await (await import('./metrics.js')).renderMetrics(d.stats());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
  },
  members({ res, url, d }) {
    const status = url.searchParams.get('status');
    if (status !== null && !STATUSES.has(status))
      throw new HttpError(400, 'ERR_ARGUMENT', `status must be one of ${MEMBER_STATUSES.join(', ')}; got ${JSON.stringify(status)}`);
    const match = memberFilter(url.searchParams.get('name'), url.searchParams.getAll('tag'));
    const now = d.now();
    const rows = d
      .members()
      .map((m) => memberJson(m, now))
      .filter((m) => (status === null || m.status === status) && match(m));
    rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    sendJson(res, 200, rows);
  },
  member({ res, params, d }) {
    const name = params.name!;
    const m = d.member(name);
    if (!m) throw new HttpError(404, 'ERR_NO_MEMBER', `no member named ${JSON.stringify(name)} is known to this agent`);
    sendJson(res, 200, { ...memberJson(m, d.now()), history: d.history(name) });
  },
  self: ({ res, d }) => sendJson(res, 200, memberJson(d.self(), d.now())),
  info: ({ res, d }) => sendJson(res, 200, { ...d.info(), stats: d.stats() }),
  stats: ({ res, d }) => sendJson(res, 200, d.stats()),
  health({ res, d }) {
    const h = d.health();
    sendJson(res, h.ok ? 200 : 503, h.ok ? { status: 'ok' } : { status: 'failing', reason: h.reason });
  },
  events({ req, res, url, d, streams }) {
    if (!d.monitor) throw new HttpError(404, 'ERR_NOT_FOUND', 'this agent has no event stream');
    const level = url.searchParams.get('level') ?? 'info';
    const min = LOG_LEVEL_NUMBERS[level];
    if (min === undefined || !Object.hasOwn(LOG_LEVEL_NUMBERS, level))
      throw new HttpError(400, 'ERR_ARGUMENT', `level must be one of ${Object.keys(LOG_LEVEL_NUMBERS).join(', ')}; got ${JSON.stringify(level)}`);
    const follow = d.monitor.bind(d);
    const monitor = (fn: MonitorListener): (() => void) => follow(fn, level as LogLevel);
    if (!streams.serve(req, res, monitor, min))
      throw new HttpError(
        503,
        'ERR_TOO_MANY_STREAMS',
        'this agent already serves its maximum of event streams (phantom monitor, dashboards); close one and retry',
      );
  },
  lookup({ res, url, d }) {
    if (!d.lookup) throw new HttpError(404, 'ERR_NO_RING', 'this agent keeps no ring');
    const key = url.searchParams.get('key');
    if (key === null || key === '') throw new HttpError(400, 'ERR_ARGUMENT', 'give the key: /v1/lookup?key=K&n=3 or /v1/lookup/K?n=3');
    sendLookup(res, d, key, url.searchParams.get('n'), url.searchParams.get('near'));
  },
  // The path form of lookup: the key is one URL-encoded segment, so keys may hold '?' or '&'.
  lookupKey: ({ res, url, params, d }) => sendLookup(res, d, params.key!, url.searchParams.get('n'), url.searchParams.get('near')),
  coordinates({ res, d }) {
    // Every member we hold a coordinate for (ourselves included), as Serf's /v1/coordinate/nodes.
    const rows = d.members().flatMap((m) => (m.coordinate && m.state !== 'left' ? [{ name: m.name, coordinate: m.coordinate }] : []));
    rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    sendJson(res, 200, rows);
  },
  ring({ res, d }) {
    if (!d.ring) throw new HttpError(404, 'ERR_NO_RING', 'this agent keeps no ring');
    sendJson(res, 200, d.ring());
  },
  async join({ req, res, d }) {
    const body = await readJson(req);
    const addrs = (body as { addrs?: unknown }).addrs;
    if (!Array.isArray(addrs) || addrs.length === 0 || !addrs.every((a) => typeof a === 'string'))
      throw new HttpError(400, 'ERR_ARGUMENT', 'body must be {"addrs": ["host:port", ...]}');
    for (const a of addrs as string[]) wrapArg(() => parseHostPort(a, 'addrs', { port: 7946 }));
    const contacted = await d.join(addrs as string[]);
    sendJson(res, 200, { contacted });
  },
  async leave({ res, d }) {
    await d.leave();
    sendJson(res, 200, { left: true });
  },
  async tags({ req, res, d }) {
    const body = (await readJson(req)) as { set?: unknown; delete?: unknown };
    const set = body.set ?? {};
    const del = body.delete ?? [];
    if (typeof set !== 'object' || set === null || Array.isArray(set) || !Object.values(set).every((v) => typeof v === 'string'))
      throw new HttpError(400, 'ERR_ARGUMENT', '"set" must be an object of string values');
    if (!Array.isArray(del) || !del.every((k) => typeof k === 'string')) throw new HttpError(400, 'ERR_ARGUMENT', '"delete" must be a list of tag names');
    const tags: Record<string, string> = { ...d.self().tags, ...(set as Record<string, string>) };
    for (const k of del as string[]) delete tags[k];
    d.setTags(tags);
    sendJson(res, 200, { tags, incarnation: d.self().incarnation });
  },
  async forceLeave({ req, res, d }) {
    if (!d.forceLeave) throw new HttpError(404, 'ERR_NOT_FOUND', 'this agent does not offer force-leave');
    const body = (await readJson(req)) as { name?: unknown; prune?: unknown };
    if (typeof body.name !== 'string' || body.name === '') throw new HttpError(400, 'ERR_ARGUMENT', 'body must be {"name": "member", "prune"?: true}');
    if (body.prune !== undefined && typeof body.prune !== 'boolean') throw new HttpError(400, 'ERR_ARGUMENT', '"prune" must be true or false');
    const m = d.forceLeave(body.name, body.prune === true);
    sendJson(res, 200, { ...memberJson(m, d.now()), pruned: body.prune === true });
  },
  async event({ req, res, d }) {
    if (!d.event) throw new HttpError(404, 'ERR_NOT_FOUND', 'this agent does not send user events');
    const body = (await readJson(req)) as { name?: unknown; payload?: unknown; payloadBase64?: unknown; coalesce?: unknown };
    if (typeof body.name !== 'string') throw new HttpError(400, 'ERR_ARGUMENT', 'body must be {"name": "...", "payload"?: "text", "coalesce"?: true}');
    if (body.payload !== undefined && body.payloadBase64 !== undefined)
      throw new HttpError(400, 'ERR_ARGUMENT', 'give "payload" (text) or "payloadBase64", not both');
    if (body.payload !== undefined && typeof body.payload !== 'string')
      throw new HttpError(400, 'ERR_ARGUMENT', '"payload" must be a string (sent as UTF-8); use "payloadBase64" for bytes');
    if (body.payloadBase64 !== undefined && (typeof body.payloadBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.payloadBase64)))
      throw new HttpError(400, 'ERR_ARGUMENT', '"payloadBase64" must be base64 text');
    if (body.coalesce !== undefined && typeof body.coalesce !== 'boolean') throw new HttpError(400, 'ERR_ARGUMENT', '"coalesce" must be true or false');
    const payload =
      typeof body.payloadBase64 === 'string'
        ? new Uint8Array(Buffer.from(body.payloadBase64, 'base64'))
        : new TextEncoder().encode(typeof body.payload === 'string' ? body.payload : '');
    d.event(body.name, payload, body.coalesce === true);
    sendJson(res, 200, { sent: true, name: body.name, bytes: payload.length, coalesce: body.coalesce === true });
  },
  async query({ req, res, d }) {
    if (!d.query) throw new HttpError(404, 'ERR_NOT_FOUND', 'this agent does not ask queries');
    const body = (await readJson(req)) as Record<string, unknown>;
    const q = queryBody(body);
    const stream = d.query(q.name, q.payload, q.opts);
    const r = await stream.done;
    const text = new TextDecoder('utf-8', { fatal: false });
    sendJson(res, 200, {
      name: q.name,
      timeoutMs: r.timeoutMs,
      acks: r.acks,
      responses: r.responses.map((x) => ({ from: x.from, payload: text.decode(x.payload), payloadBase64: Buffer.from(x.payload).toString('base64') })),
    });
  },
  async keysList({ res, url, d }) {
    if (!d.keys) throw new HttpError(404, 'ERR_NO_KEYRING', 'this agent does not manage keys');
    sendJson(res, 200, await d.keys('list', undefined, { local: url.searchParams.get('local') === 'true' }));
  },
  async keysChange({ req, res, d }) {
    if (!d.keys) throw new HttpError(404, 'ERR_NO_KEYRING', 'this agent does not manage keys');
    const body = (await readJson(req)) as { op?: unknown; key?: unknown; local?: unknown };
    if (body.op !== 'install' && body.op !== 'use' && body.op !== 'remove')
      throw new HttpError(400, 'ERR_ARGUMENT', 'body must be {"op": "install" | "use" | "remove", "key": "<base64>"}');
    if (typeof body.key !== 'string') throw new HttpError(400, 'ERR_ARGUMENT', '"key" must be the base64 key (phantom keygen)');
    if (body.local !== undefined && typeof body.local !== 'boolean') throw new HttpError(400, 'ERR_ARGUMENT', '"local" must be true or false');
    sendJson(res, 200, await d.keys(body.op, body.key, { local: body.local === true }));
  },
};

async function handle(req: IncomingMessage, res: ServerResponse, d: AdminDeps, streams: EventStreams): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const found = matchRoute(method, path);
  switch (found.kind) {
    case 'none':
      throw new HttpError(404, 'ERR_NOT_FOUND', `no endpoint ${path}; see docs/AGENT.md for the admin API`);
    case 'method':
      throw new HttpError(405, 'ERR_METHOD', `${path} takes ${found.allowed.join(' or ')}, not ${method}`);
    case 'encoding':
      throw new HttpError(400, 'ERR_ARGUMENT', `the ${found.param} in ${path} is not valid URL encoding`);
    case 'route': {
      // After the method check, so a wrong method is 405 before a wrong type is 415.
      const badType = checkContentType(method, req.headers);
      if (badType) throw new HttpError(badType.status, badType.code, badType.message);
      return HANDLERS[found.name]({ req, res, url, params: found.params, d, streams });
    }
  }
}

/** Longest filter pattern accepted: the patterns are the caller's, kept short. */
const MAX_PATTERN_LENGTH = 256;

/**
 * Serf's member filters: `name` and each `tag` value are regular expressions matched against
 * the whole name or tag value (anchored, as serf's); a member must match all. A member without
 * the tag does not match.
 */
export function memberFilter(name: string | null, tags: readonly string[]): (m: MemberJson) => boolean {
  const compile = (pattern: string, what: string): RegExp => {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new HttpError(400, 'ERR_ARGUMENT', `${what}: a pattern of at most ${MAX_PATTERN_LENGTH} characters`);
    try {
      return new RegExp(`^(?:${pattern})$`, 'u');
    } catch (e) {
      throw new HttpError(400, 'ERR_ARGUMENT', `${what}: not a regular expression (${(e as Error).message})`);
    }
  };
  const byName = name === null ? undefined : compile(name, 'name');
  const byTag = tags.map((t) => {
    const at = t.indexOf('=');
    if (at <= 0) throw new HttpError(400, 'ERR_ARGUMENT', `tag filter ${JSON.stringify(t)}: give key=regex, e.g. role=db`);
    return [t.slice(0, at), compile(t.slice(at + 1), `tag ${t.slice(0, at)}`)] as const;
  });
  return (m) => (byName === undefined || byName.test(m.name)) && byTag.every(([k, re]) => Object.hasOwn(m.tags, k) && re.test(m.tags[k]!));
}

/** The body of POST /v1/query, checked field by field (the agent checks names, filters and sizes). */
function queryBody(b: Record<string, unknown>): { name: string; payload: Uint8Array; opts: QueryOptions } {
  const bad = (why: string): never => {
    throw new HttpError(400, 'ERR_ARGUMENT', why);
  };
  if (typeof b.name !== 'string')
    bad('body must be {"name": "...", "payload"?: "text", "nodes"?: [...], "tags"?: {"key": "regex"}, "timeoutMs"?: n, "relay"?: n, "ack"?: bool}');
  if (b.payload !== undefined && b.payloadBase64 !== undefined) bad('give "payload" (text) or "payloadBase64", not both');
  if (b.payload !== undefined && typeof b.payload !== 'string') bad('"payload" must be a string (sent as UTF-8); use "payloadBase64" for bytes');
  if (b.payloadBase64 !== undefined && (typeof b.payloadBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.payloadBase64)))
    bad('"payloadBase64" must be base64 text');
  if (b.nodes !== undefined && !(Array.isArray(b.nodes) && b.nodes.every((n) => typeof n === 'string'))) bad('"nodes" must be a list of member names');
  const tags = b.tags;
  if (tags !== undefined && (typeof tags !== 'object' || tags === null || Array.isArray(tags) || !Object.values(tags).every((v) => typeof v === 'string')))
    bad('"tags" must be an object of tag name -> regular expression');
  for (const f of ['timeoutMs', 'relay'] as const)
    if (b[f] !== undefined && !(typeof b[f] === 'number' && Number.isInteger(b[f]) && (b[f] as number) >= 0)) bad(`"${f}" must be an integer >= 0`);
  if (b.ack !== undefined && typeof b.ack !== 'boolean') bad('"ack" must be true or false');
  const payload =
    typeof b.payloadBase64 === 'string'
      ? new Uint8Array(Buffer.from(b.payloadBase64, 'base64'))
      : new TextEncoder().encode(typeof b.payload === 'string' ? b.payload : '');
  const opts: QueryOptions = {
    ...(b.nodes !== undefined ? { nodes: b.nodes as string[] } : {}),
    ...(tags !== undefined ? { tags: tags as Record<string, string> } : {}),
    ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs as number } : {}),
    ...(b.relay !== undefined ? { relay: b.relay as number } : {}),
    ...(b.ack !== undefined ? { ack: b.ack as boolean } : {}),
  };
  return { name: b.name as string, payload, opts };
}

/** Both lookup forms answer alike: `{ key, owners }`, n from 1 to 64 (default 1). */
function sendLookup(res: ServerResponse, d: AdminDeps, key: string, nParam: string | null, nearParam: string | null): void {
  if (!d.lookup) throw new HttpError(404, 'ERR_NO_RING', 'this agent keeps no ring');
  const n = Number(nParam ?? '1');
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new HttpError(400, 'ERR_ARGUMENT', 'n must be an integer from 1 to 64');
  if (nearParam !== null && !['1', 'true', '0', 'false'].includes(nearParam))
    throw new HttpError(400, 'ERR_ARGUMENT', `near must be 1, true, 0 or false; got ${JSON.stringify(nearParam)}`);
  const owners = d.lookup(key, n);
  if (nearParam !== '1' && nearParam !== 'true') return sendJson(res, 200, { key, owners });
  // Nearest first, by estimated RTT from this agent; the ring's own order breaks ties.
  const coords = new Map(d.members().map((m) => [m.name, m.coordinate]));
  sendJson(res, 200, { key, owners: byDistance(owners, d.self().coordinate, (name) => coords.get(name), d.self().name) });
}

function wrapArg(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    throw new HttpError(400, 'ERR_ARGUMENT', (e as Error).message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ADMIN_MAX_BODY_BYTES) throw new HttpError(413, 'ERR_TOO_LARGE', `request body over ${ADMIN_MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ADMIN_MAX_BODY_BYTES) {
      req.destroy();
      throw new HttpError(413, 'ERR_TOO_LARGE', `request body over ${ADMIN_MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new HttpError(400, 'ERR_BAD_JSON', `the body is not a JSON object (${(e as Error).message})`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Refuse before reading the body; the connection closes so an unread body cannot linger. */
function refuse(res: ServerResponse, r: Refusal): void {
  res.setHeader('connection', 'close');
  sendJson(res, r.status, { error: { code: r.code, message: r.message } });
}

/** Refusals because of the agent's or the cluster's state, not the request's form: 409. */
const CONFLICT_CODES: ReadonlySet<string> = new Set([
  'ERR_NOT_RUNNING',
  'ERR_NOT_FAILED',
  'ERR_INCARNATION_EXHAUSTED',
  'ERR_KEY_PRIMARY',
  'ERR_NO_KEYRING',
  'ERR_KEYS_BUSY',
  'ERR_KEYRING_FULL',
  'ERR_KEY_NOT_EVERYWHERE',
  'ERR_KEY_IN_USE',
  'ERR_KEY_NOT_INSTALLED',
]);

function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (e instanceof HttpError) return sendJson(res, e.status, { error: { code: e.code, message: e.message } });
  if (e instanceof ClusterError) {
    const status = e.code === 'ERR_JOIN_FAILED' ? 502 : e.code === 'ERR_NO_MEMBER' ? 404 : CONFLICT_CODES.has(e.code) ? 409 : 400;
    return sendJson(res, status, { error: { code: e.code, message: e.message } });
  }
  sendJson(res, 500, { error: { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) } });
}
