/**
 * What the admin API checks before it looks at a request's path, so that a web page open in a
 * browser on the host cannot drive it:
 *
 * - Host: only a loopback name (127.0.0.0/8, ::1, localhost), the address the API is bound to
 *   (any IP literal when bound to a wildcard), or a name the operator allowed, each on the port
 *   the API listens on. DNS rebinding points an attacker's name at 127.0.0.1; the browser then
 *   sends that name as Host, and it is refused here.
 * - Origin / Sec-Fetch-Site: a request a browser makes for another site's page carries that
 *   site's Origin (or Sec-Fetch-Site: cross-site / same-site); only same-origin ones pass, which
 *   the dashboard's own fetches are. Clients that are not browsers send neither.
 * - Content-Type: a mutating request must say application/json. A page can send text/plain or
 *   a form without asking first (a "simple request"), but not application/json.
 *
 * Pure functions of the headers and the server's own address; server.ts turns a refusal into
 * a JSON error.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { isWildcard, unmapV4 } from '../transport/address.js';

/** Why a request was refused: HTTP status, stable code, and a message saying what to do. */
export interface Refusal {
  readonly status: 403 | 415;
  readonly code: 'ERR_FORBIDDEN_HOST' | 'ERR_FORBIDDEN_ORIGIN' | 'ERR_CONTENT_TYPE';
  readonly message: string;
}

/** The server's side of the checks. */
export interface GuardOptions {
  /** The host the API is bound to (an IP, a wildcard or a name). */
  readonly boundHost: string;
  /** The port it listens on. */
  readonly port: number;
  /** Extra Host values to accept: `name` (on our port) or `name:port` (behind a proxy or tunnel). */
  readonly allowedHosts?: readonly string[];
}

/** Methods that change something; they need `Content-Type: application/json`. */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = unmapV4(host.toLowerCase().replace(/^\[|\]$/g, ''));
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Split `host[:port]` into a lowercase host (no brackets) and the port, if given. */
function splitHost(value: string): { host: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  return { host: m[1]!.toLowerCase().replace(/^\[|\]$/g, ''), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Whether `entry` is a valid --admin-allowed-host value: a host name or IP, with an optional port. */
export function isAllowedHostEntry(entry: string): boolean {
  const e = splitHost(entry);
  if (!e || (e.port !== undefined && (e.port < 1 || e.port > 65535))) return false;
  return isIP(e.host) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(e.host);
}

function hostAllowed(value: string, o: GuardOptions): boolean {
  const hp = splitHost(value);
  if (!hp) return false;
  const port = hp.port ?? 80;
  for (const entry of o.allowedHosts ?? []) {
    const e = splitHost(entry);
    if (e && e.host === hp.host && port === (e.port ?? o.port)) return true;
  }
  if (port !== o.port) return false;
  if (isLoopbackHost(hp.host)) return true;
  const bound = o.boundHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(hp.host) !== 0) return isWildcard(bound) || unmapV4(hp.host) === unmapV4(bound);
  return false;
}

/** Host, then Origin and Sec-Fetch-Site: undefined when the request may go on. */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, o: GuardOptions): Refusal | undefined {
  const host = headers.host;
  if (host === undefined || !hostAllowed(host, o)) {
    const extra = (o.allowedHosts ?? []).length > 0 ? `, ${(o.allowedHosts ?? []).join(', ')}` : '';
    return {
      status: 403,
      code: 'ERR_FORBIDDEN_HOST',
      message: `Host ${host === undefined ? '(none)' : JSON.stringify(host)} is not this admin API's: it answers to 127.0.0.1, [::1] or localhost on port ${o.port}${extra}. To reach it by another name (a proxy, a tunnel to another port), start the agent with --admin-allowed-host NAME[:PORT]`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host)) {
    return {
      status: 403,
      code: 'ERR_FORBIDDEN_ORIGIN',
      message: `requests from another web origin (${JSON.stringify(origin)}) are refused; the admin API serves its own dashboard and command-line clients only`,
    };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return {
      status: 403,
      code: 'ERR_FORBIDDEN_ORIGIN',
      message: `requests a browser makes for another site (Sec-Fetch-Site: ${JSON.stringify(site)}) are refused`,
    };
  }
  return undefined;
}

/** The page's origin is the admin API itself: http(s)://<the Host we accepted>. */
function sameOrigin(origin: string, host: string): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, file: pages)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const h = host.trim().toLowerCase();
  const defaultPort = u.protocol === 'http:' ? '80' : '443';
  return h === u.host || h === `${u.host}:${defaultPort}`;
}

/** A mutating method must declare a JSON body (even an empty one). */
export function checkContentType(method: string, headers: IncomingHttpHeaders): Refusal | undefined {
  if (!MUTATING.has(method)) return undefined;
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return {
    status: 415,
    code: 'ERR_CONTENT_TYPE',
    message: `${method} requests must send Content-Type: application/json${type ? ` (got ${JSON.stringify(type)})` : ''}, even with an empty body`,
  };
}
