/**
 * How often we may tell an address of a name conflict (swim.ts, noticeConflict): at once the first
 * time, then after a wait that doubles with each notice, from `baseMs` up to baseMs × 2^MAX_DOUBLINGS,
 * per address, whatever the names. A stranger that forges claims (cycling names, or at a high
 * rate) so gets a trickle of notices sent for it that thins out, not one per claim; an address
 * left quiet for two of the longest waits starts over. Bounded memory: the least recently told
 * addresses are forgotten first.
 */
import type { Address } from './types.js';

/** The longest wait between notices to one address is baseMs × 2^this. */
const MAX_DOUBLINGS = 6;
/** Addresses remembered; beyond, the least recently told is forgotten. */
const MAX_ADDRESSES = 1024;

export class NoticeBackoff {
  private readonly byAddress = new Map<Address, { sent: number; nextAt: number; lastAt: number }>();

  constructor(private readonly baseMs: number) {}

  /** May we send a notice to `to` at `now`? If so, it counts as sent. */
  allow(to: Address, now: number): boolean {
    let s = this.byAddress.get(to);
    if (s && now - s.lastAt > 2 * this.baseMs * 2 ** MAX_DOUBLINGS) s = undefined;
    if (s && now < s.nextAt) return false;
    s ??= { sent: 0, nextAt: now, lastAt: now };
    s.sent++;
    s.lastAt = now;
    s.nextAt = now + this.baseMs * 2 ** Math.min(s.sent - 1, MAX_DOUBLINGS);
    // Re-insert: the map's order is then least recently told first.
    this.byAddress.delete(to);
    this.byAddress.set(to, s);
    if (this.byAddress.size > MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
    return true;
  }
}
