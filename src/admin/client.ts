/**
 * The admin API's client, used by the `phantom` commands that talk to a running agent. Errors
 * are ClusterErrors: ERR_UNREACHABLE says how to point a command at the agent; an API error
 * keeps the agent's code and message.
 */
import { request } from 'node:http';
import { ClusterError, isErrorCode } from '../errors.js';
import { parseHostPort, formatHostPort } from '../transport/address.js';

/** Default admin address, also read from PHANTOM_ADMIN by the CLI. */
export const DEFAULT_ADMIN = '127.0.0.1:7947';

export interface AdminResponse<T> {
  readonly status: number;
  readonly body: T;
}

/**
 * Call the admin API at `admin` (`host:port`); `timeoutMs` bounds the whole call. `token` (default
 * PHANTOM_ADMIN_TOKEN) is sent as a bearer token when set.
 */
export async function adminRequest<T>(admin: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000, token = process.env.PHANTOM_ADMIN_TOKEN): Promise<AdminResponse<T>> {
  const hp = parseHostPort(admin, 'admin', { host: '127.0.0.1', port: 7947 });
  const url = `http://${formatHostPort(hp.host, hp.port)}${path}`;
  let res: { status: number; contentType: string; text: string };
  try {
    res = await httpCall(url, method, body === undefined ? undefined : JSON.stringify(body), token, timeoutMs);
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
