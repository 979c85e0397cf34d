/**
 * The real network: one UDP socket (node:dgram) per agent, IPv4 or IPv6. Probes, gossip and the
 * push-pull datagrams all go through it (each push-pull datagram merges on its own: docs/PROTOCOL.md).
 *
 * Sending never throws: a datagram that cannot go out is counted (`sendErrors`) and forgotten,
 * as the protocol expects of a lossy network. Incoming datagrams are handed over synchronously
 * with a normalised `host:port` sender, so one peer never shows up under two spellings.
 */
import dgram from 'node:dgram';
import { ClusterError } from '../errors.js';
import type { Address } from '../core/types.js';
import type { Transport } from './transport.js';
import { familyOf, formatHostPort, isWildcard, parseHostPort, unmapV4, type HostPort } from './address.js';
import { detectAdvertiseHost } from './interfaces.js';

export interface UdpTransportInit {
  /** Where to listen: `host:port`; port 0 picks a free one. Host `0.0.0.0` / `::` = every interface. */
  readonly bind: string;
  /** What others dial (`host:port`); default: the bind address, or an interface's address for a wildcard bind. Port 0 or none = the bound port. */
  readonly advertise?: string;
  /** Kernel receive buffer (bytes): push-pull of a large table arrives in a burst. Default 4 MiB; the OS may cap it. */
  readonly recvBufferBytes?: number;
}

/** Counters of the transport itself (the driver counts packets and bytes). */
export interface UdpStats {
  /** Datagrams the OS refused to send (unreachable family, no route, too big...). */
  sendErrors: number;
  /** Datagrams to an address we could not parse. */
  badAddress: number;
}

export interface UdpTransport extends Transport {
  /** The address the socket is bound to (`host:port`, port resolved). */
  readonly boundAddress: Address;
  readonly stats: UdpStats;
}

const PARSE_CACHE_MAX = 4096;

/**
 * Bind a UDP socket. Rejects with ERR_BIND and what to do when the port is taken or the address
 * is not one of this host's; ERR_CONFIG for a malformed address.
 */
export async function createUdpTransport(init: UdpTransportInit): Promise<UdpTransport> {
  const bind = parseHostPort(init.bind, 'bind', { port: 7946 });
  const bindFamily = familyOf(bind.host);
  if (bindFamily === 0)
    throw new ClusterError(
      'ERR_CONFIG',
      `bind ${JSON.stringify(init.bind)}: the bind host must be an IP address (0.0.0.0 for every IPv4 interface, :: for every interface)`,
    );
  const adv = init.advertise ? parseHostPort(init.advertise, 'advertise', { port: 0 }) : undefined;
  if (adv && familyOf(adv.host) === 0)
    throw new ClusterError('ERR_CONFIG', `advertise ${JSON.stringify(init.advertise)}: must be an IP address others can reach`);
  if (adv && isWildcard(adv.host))
    throw new ClusterError('ERR_CONFIG', `advertise ${JSON.stringify(init.advertise)}: a wildcard address cannot be dialled; give this host's address`);
  // Resolve the advertise host before binding, so a host without addresses fails fast.
  const advHost = adv?.host ?? (isWildcard(bind.host) ? detectAdvertiseHost(bindFamily) : bind.host);

  const socket = dgram.createSocket({ type: bindFamily === 6 ? 'udp6' : 'udp4', ipv6Only: false });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      socket.close();
      reject(bindError(e, init.bind));
    };
    socket.once('error', onError);
    socket.bind(bind.port, bind.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(init.recvBufferBytes ?? 4 * 1024 * 1024);
  } catch {
    // The OS cap (net.core.rmem_max) applies; a smaller buffer only means more loss in bursts.
  }
  const bound = socket.address();
  const port = adv && adv.port !== 0 ? adv.port : bound.port;
  return new Udp(socket, formatHostPort(advHost, port), formatHostPort(bound.address, bound.port), bindFamily === 6);
}

function bindError(e: NodeJS.ErrnoException, bind: string): ClusterError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new ClusterError(
        'ERR_BIND',
        `cannot bind ${bind}: the port is in use (another agent on this host?). Stop it, or pick another port with --bind host:port`,
      );
    case 'EADDRNOTAVAIL':
      return new ClusterError('ERR_BIND', `cannot bind ${bind}: not an address of this host. Use one of its addresses, or 0.0.0.0 / :: for every interface`);
    case 'EACCES':
      return new ClusterError('ERR_BIND', `cannot bind ${bind}: permission denied (ports below 1024 need privileges). Pick a port above 1023`);
    case 'EAFNOSUPPORT':
      return new ClusterError('ERR_BIND', `cannot bind ${bind}: this host has no IPv6 support. Bind an IPv4 address`);
    default:
      return new ClusterError('ERR_BIND', `cannot bind ${bind}: ${e.message}`);
  }
}

class Udp implements UdpTransport {
  readonly stats: UdpStats = { sendErrors: 0, badAddress: 0 };
  private handler: (from: Address, bytes: Uint8Array) => void = () => {};
  private readonly parsed = new Map<Address, HostPort | null>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly onSent = (err: Error | null): void => {
    if (err) this.stats.sendErrors++;
  };

  constructor(
    private readonly socket: dgram.Socket,
    readonly address: Address,
    readonly boundAddress: Address,
    private readonly v6: boolean,
  ) {
    socket.on('message', (msg, rinfo) => {
      if (this.closed) return;
      this.handler(formatHostPort(unmapV4(rinfo.address), rinfo.port), msg);
    });
    // Asynchronous socket errors (ICMP unreachable on some systems) must not crash the process.
    socket.on('error', () => void this.stats.sendErrors++);
  }

  send(to: Address, bytes: Uint8Array): void {
    if (this.closed) return;
    const dest = this.resolve(to);
    if (!dest) {
      this.stats.badAddress++;
      return;
    }
    try {
      // dgram reads the buffer after an async address lookup: copy, so the caller may reuse it.
      this.socket.send(Buffer.from(bytes), dest.port, dest.host, this.onSent);
    } catch {
      this.stats.sendErrors++;
    }
  }

  onPacket(handler: (from: Address, bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = new Promise<void>((resolve) => {
        try {
          this.socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    }
    return this.closing;
  }

  /** Parse once per peer; only literal IPs are sent to (names are resolved before a join). */
  private resolve(to: Address): HostPort | null {
    let hp = this.parsed.get(to);
    if (hp !== undefined) return hp;
    try {
      const p = parseHostPort(to, 'peer');
      const fam = familyOf(p.host);
      if (fam === 0 || p.port === 0) hp = null;
      else if (fam === 4 && this.v6) hp = { host: `::ffff:${p.host}`, port: p.port };
      else if (fam === 6 && !this.v6) hp = null;
      else hp = p;
    } catch {
      hp = null;
    }
    if (this.parsed.size >= PARSE_CACHE_MAX) this.parsed.clear();
    this.parsed.set(to, hp);
    return hp;
  }
}
