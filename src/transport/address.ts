/**
 * `host:port` strings, the form every address takes on the wire, in flags and in the member
 * table. IPv6 hosts are bracketed (`[::1]:7946`) so that the last colon always separates the
 * port; IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`, seen on dual-stack sockets) are written as
 * plain IPv4 so one peer never appears under two addresses.
 */
import { isIP } from 'node:net';
import { ClusterError } from '../errors.js';

/** A parsed address: host (no brackets) and UDP/TCP port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The address family a host needs: 4 or 6 for literal IPs, 0 for a name to be resolved. */
export function familyOf(host: string): 0 | 4 | 6 {
  return isIP(host) as 0 | 4 | 6;
}

/** Format a host and port as this library writes addresses (`[v6]:port`, `v4:port`, `name:port`). */
export function formatHostPort(host: string, port: number): string {
  const h = unmapV4(host);
  return familyOf(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`;
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`; anything else unchanged. */
export function unmapV4(host: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m ? m[1]! : host;
}

/**
 * Parse `host:port`, `[v6]:port`, `host` or `:port` (missing parts from `defaults`). Throws
 * ERR_CONFIG naming `field` and showing the expected form; hosts that are names are accepted
 * here and resolved where they are used.
 */
export function parseHostPort(input: string, field: string, defaults?: Partial<HostPort>): HostPort {
  const bad = (why: string): ClusterError =>
    new ClusterError('ERR_CONFIG', `${field} ${JSON.stringify(input)}: ${why} (expected host:port, e.g. 10.0.0.5:7946 or [fd00::5]:7946)`);
  const s = input.trim();
  if (s.length === 0) throw bad('empty');
  let host: string | undefined;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(s);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (familyOf(host!) !== 6) throw bad('the bracketed part is not an IPv6 address');
  } else if (familyOf(s) === 6) {
    host = s; // a bare IPv6 address without a port
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0) {
      host = s.slice(0, i);
      portText = s.slice(i + 1);
      if (host.includes(':')) throw bad('an IPv6 address with a port must be written in brackets');
    } else host = s;
  }
  if (!host) host = defaults?.host;
  if (!host) throw bad('no host');
  if (familyOf(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host)) {
    throw bad('not an IP address or a host name');
  }
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText)) throw bad('the port is not a number');
    port = Number(portText);
  } else port = defaults?.port;
  if (port === undefined) throw bad('no port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad('the port must be 0..65535');
  return { host, port };
}

/** True for the wildcard addresses that mean "every interface". */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '::0';
}
