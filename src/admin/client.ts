/**
 * The admin API's client, used by the `phantom` commands that talk to a running agent. Errors
 * are ClusterErrors: ERR_UNREACHABLE says how to point a command at the agent; an API error
 * keeps the agent's code and message.
 */
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
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new ClusterError(
      'ERR_UNREACHABLE',
      `cannot reach the agent's admin API at ${admin} (${cause}). Is \`phantom agent\` running on this host? Point at it with --admin host:port or PHANTOM_ADMIN=host:port`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
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
