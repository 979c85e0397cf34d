/**
 * The membership checksum: farmhash fingerprint32 over the sorted `name:state:incarnation` list.
 * Two agents with the same checksum hold the same membership, and so build the same ring.
 * fingerprint32 is platform-independent, so checksums compare across hosts.
 */
import farmhash from 'farmhash';
import type { Member } from '../core/types.js';

export function membershipChecksum(members: Iterable<Pick<Member, 'name' | 'state' | 'incarnation'>>): number {
  const lines: string[] = [];
  for (const m of members) lines.push(`${m.name}:${m.state}:${m.incarnation}`);
  lines.sort();
  return farmhash.fingerprint32(lines.join('\n'));
}
