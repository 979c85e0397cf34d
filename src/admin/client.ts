/**
 * The admin API's client, used by the `phantom` commands that talk to a running agent. Errors
 * are ClusterErrors: ERR_UNREACHABLE says how to point a command at the agent; an API error
 * keeps the agent's code and message. The bearer token is found as token.ts says.
 */
import { request } from 'node:http';
import { ClusterError, isErrorCode } from '../errors.js';
import { parseHostPort, formatHostPort } from '../transport/address.js';
import { findAdminToken } from './token.js';

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
export async function adminRequest<T>(target: string | AdminTarget, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000, token?: string): Promise<AdminResponse<T>> {
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

/**
 * One HTTP exchange with node:http, bounded by `timeoutMs` as a whole. Not fetch: loading it
 * (undici) took ~40 ms of each command's start, and its pooled connection kept the process
 * alive ~130 ms after the answer (bench/STARTUP.md).
 */
function httpCall(url: string, method: string, body: string | undefined, token: string | undefined, timeoutMs: number): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = request(url, { method, headers, agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e: Error & { code?: string }) => reject(e.name === 'AbortError' ? Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TimeoutError' }) : e));
    req.end(body);
  });
}
