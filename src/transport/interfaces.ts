/**
 * Which address to advertise when bound to every interface (0.0.0.0 or ::): like memberlist,
 * prefer a private address of the right family, then any public one; never a link-local one
 * (it needs a zone id others cannot know). Loopback only when there is nothing else, so a
 * laptop without a network still runs a one-host cluster.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ClusterError } from '../errors.js';

function isPrivateV4(a: string): boolean {
  return /^10\./.test(a) || /^192\.168\./.test(a) || /^172\.(1[6-9]|2\d|3[01])\./.test(a) || /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(a);
}

function rank(info: NetworkInterfaceInfo): number {
  if (info.internal) return 3;
  if (info.family === 'IPv4') return isPrivateV4(info.address) ? 0 : 1;
  if (/^fe80:/i.test(info.address)) return 9; // link-local: unusable
  return /^f[cd]/i.test(info.address) ? 0 : 1; // unique-local first
}

/**
 * The address to advertise for a wildcard bind of the given family. Throws ERR_CONFIG (asking
 * for --advertise) when the host has no usable address at all.
 */
export function detectAdvertiseHost(family: 4 | 6, list: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string {
  const want = family === 4 ? 'IPv4' : 'IPv6';
  const candidates: NetworkInterfaceInfo[] = [];
  for (const infos of Object.values(list)) for (const i of infos ?? []) if (i.family === want && rank(i) < 9) candidates.push(i);
  candidates.sort((a, b) => rank(a) - rank(b));
  const best = candidates[0];
  if (!best) throw new ClusterError('ERR_CONFIG', `advertise: no usable IPv${family} address on any interface; set one with --advertise host:port`);
  return best.address;
}
