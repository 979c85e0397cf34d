/**
 * Who checks a suspect (active confirmation) or a member on probation: the `k` live members
 * that rank lowest by a hash of (subject, incarnation, member). Every agent computes the same
 * set from the same membership, with no message to agree on it, and the set changes with each
 * incarnation, so no member carries the checking for another for long.
 */
import { fnv1a32 } from './hash.js';

/**
 * Our rank (0-based) among the checkers of `subject` at `incarnation`, or -1 when we are not one
 * of the `k`. `members` are the live member names, ourselves included; the subject never checks
 * itself.
 */
export function checkerRank(self: string, subject: string, incarnation: number, members: Iterable<string>, k: number): number {
  if (k <= 0 || self === subject) return -1;
  const seed = fnv1a32(`${subject}#${incarnation}#`);
  const mine = fnv1a32(self, seed);
  let below = 0;
  for (const name of members) {
    if (name === self || name === subject) continue;
    const h = fnv1a32(name, seed);
    if (h < mine || (h === mine && name < self)) {
      if (++below >= k) return -1;
    }
  }
  return below;
}
