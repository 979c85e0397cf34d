/**
 * The admin API's client, used by the `phantom` commands that talk to a running agent. Errors
 * are ClusterErrors: ERR_UNREACHABLE says how to point a command at the agent; an API error
 * keeps the agent's code and message. The bearer token is found as token.ts says.
 */
import { request } from 'node:http';
import { ClusterError, isErrorCode } from '../errors.js';
import { parseHostPort, formatHostPort } from '../transport/address.js';
import { findAdminToken } from './token.js';
import { ROUTES, routePath, type RouteName, type RouteParams } from './routes.js';

/** Default admin address, also read from PHANTOM_ADMIN by the CLI. */
export const DEFAULT_ADMIN = '127.0.0.1:7947';

export interface AdminResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** Which agent to call, and what the command was told about the token (--token, --token-file). */
export interface AdminTarget {
  readonly admin: string;
  readonly token?: string | undefined;
  readonly tokenFile?: string | undefined;
}

/**
 * Call the admin API at `target` (`host:port`, or the command's --admin/--token/--token-file);
 * `timeoutMs` bounds the whole call. `token`, when given, is sent as is ('' = none); otherwise
 * findAdminToken looks for it. A POST always says `Content-Type: application/json`.
 */
export async function adminRequest<T>(
  target: string | AdminTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
  token?: string,
): Promise<AdminResponse<T>> {
  const t: AdminTarget = typeof target === 'string' ? { admin: target } : target;
  const admin = t.admin;
  const bearer = token ?? findAdminToken(admin, t);
  const hp = parseHostPort(admin, 'admin', { host: '127.0.0.1', port: 7947 });
  const url = `http://${formatHostPort(hp.host, hp.port)}${path}`;
  const json = method === 'POST' ? JSON.stringify(body ?? {}) : undefined;
  let res: { status: number; contentType: string; text: string };
  try {
    res = await httpCall(url, method, json, bearer, timeoutMs);
  } catch (e) {
    const cause = (e as { code?: string }).code ?? (e as Error).name;
    throw new ClusterError(
      'ERR_UNREACHABLE',
      `cannot reach the agent's admin API at ${admin} (${cause}). Is \`phantom agent\` running on this host? Point at it with --admin host:port or PHANTOM_ADMIN=host:port`,
    );
  }
  const text = res.text;
  let parsed: unknown = text;
  if (res.contentType.includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // leave the text as is
    }
  }
  if (res.status >= 400 && res.status !== 503) {
    const err = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new ClusterError(isErrorCode(err?.code) ? err.code : 'ERR_ADMIN', err?.message ?? `admin API answered ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: parsed as T };
}

/** What adminCall sends besides the route: its params, query string, JSON body and time bound. */
export interface CallOptions<N extends RouteName> {
  readonly params?: RouteParams<N>;
  readonly query?: Parameters<typeof routePath>[2];
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** Call the route `name` of routes.ts (its method and path come from the table), as adminRequest. */
export function adminCall<T, N extends RouteName = RouteName>(target: string | AdminTarget, name: N, opts: CallOptions<N> = {}): Promise<AdminResponse<T>> {
  const path = routePath(name, (opts.params ?? {}) as RouteParams<N>, opts.query);
  return adminRequest<T>(target, ROUTES[name].method, path, opts.body, opts.timeoutMs);
}

/**
 * One HTTP exchange with node:http, bounded by `timeoutMs` as a whole. Not fetch: loading it
 * (undici) took ~40 ms of each command's start, and its pooled connection kept the process
 * alive ~130 ms after the answer (bench/STARTUP.md).
 */
function httpCall(
  url: string,
  method: string,
  body: string | undefined,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
    const req = request(url, { method, headers, agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', (e: Error & { code?: string }) =>
      reject(e.name === 'AbortError' ? Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TimeoutError' }) : e),
    );
    req.end(body);
  });
}

/** One Server-Sent Event: its `event:` name and its `data:` text. */
export interface StreamFrame {
  readonly event: string;
  readonly data: string;
}

/** A stream opened by adminStream: `done` settles when it ends; `close()` ends it from our side. */
export interface AdminStream {
  readonly done: Promise<'closed' | 'ended'>;
  close(): void;
}

/**
 * Follow a Server-Sent Events endpoint of the admin API (`GET /v1/events`). Resolves once the
 * agent answered 200 (rejects as adminRequest would otherwise: ERR_UNREACHABLE, or the API's
 * code); then `onFrame` hears each event. `done` resolves 'ended' when the agent closed the
 * stream (it stopped), 'closed' after close().
 */
export function adminStream(target: AdminTarget, path: string, onFrame: (f: StreamFrame) => void, connectTimeoutMs = 10_000): Promise<AdminStream> {
  const bearer = findAdminToken(target.admin, target);
  const hp = parseHostPort(target.admin, 'admin', { host: '127.0.0.1', port: 7947 });
  const url = `http://${formatHostPort(hp.host, hp.port)}${path}`;
  return new Promise((resolve, reject) => {
    let closing = false;
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    const req = request(url, { method: 'GET', headers, agent: false }, (res) => {
      clearTimeout(connectTimer);
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let err: { code?: string; message?: string } | undefined;
          try {
            err = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
          } catch {
            // not JSON
          }
          reject(
            new ClusterError(isErrorCode(err?.code) ? err.code : 'ERR_ADMIN', err?.message ?? `admin API answered ${res.statusCode}: ${text.slice(0, 200)}`),
          );
        });
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0) onFrame({ event, data: data.join('\n') });
        }
      });
      const done = new Promise<'closed' | 'ended'>((r) => {
        res.on('close', () => r(closing ? 'closed' : 'ended'));
        res.on('error', () => r(closing ? 'closed' : 'ended'));
      });
      resolve({
        done,
        close: () => {
          closing = true;
          req.destroy();
        },
      });
    });
    const connectTimer = setTimeout(
      () => req.destroy(Object.assign(new Error(`no answer within ${connectTimeoutMs} ms`), { code: 'TimeoutError' })),
      connectTimeoutMs,
    );
    req.on('error', (e: Error & { code?: string }) => {
      clearTimeout(connectTimer);
      if (closing) return;
      reject(
        new ClusterError(
          'ERR_UNREACHABLE',
          `cannot reach the agent's admin API at ${target.admin} (${e.code ?? e.name}). Is \`phantom agent\` running on this host? Point at it with --admin host:port or PHANTOM_ADMIN=host:port`,
        ),
      );
    });
    req.end();
  });
}
