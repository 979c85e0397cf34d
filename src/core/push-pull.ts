/**
 * Push-pull anti-entropy as independent datagrams: the full table is cut into parts that each
 * fit the packet budget and each merge on their own, so one lost part only delays, and the same
 * UDP transport carries everything.
 */
import { MemberCode, PushPullFlag, agedEntry, alive, dead, entry, left, pushPull, suspect, type Entry, type PushPull, type Update } from './messages.js';
import type { MemberRecord } from './membership.js';
import { utf8Length, wireTagsSize } from './tags.js';
import { isLive, type MemberState } from './types.js';

/** Bytes of a compound packet besides its messages: version byte and array header. */
export const PACKET_OVERHEAD_BYTES = 4;

/** Bytes a push-pull message takes besides its entries: record refs, header fields, the sender name. */
const PART_OVERHEAD_BYTES = 24;

function strSize(s: string): number {
  const len = utf8Length(s);
  return len + (len < 32 ? 1 : len < 256 ? 2 : 3);
}

/** Upper bound of an entry's encoded size (bytes). */
export function entrySize(e: Entry): number {
  return 1 + strSize(e.name) + strSize(e.addr) + 1 + 5 + wireTagsSize(e.tags) + (e.age === undefined ? 0 : 9);
}

/**
 * The last entry made for each live row, by name, shared by every table of the process (rows hand
 * out interned names and tag lists, so a row held by many agents makes one entry): a state
 * transfer repeats the same rows to many receivers, and the simulator's codec decodes an entry
 * it has seen once (wire/codec.ts, shareDecoded). A memo only: the entry is equal either way.
 * Emptied when full, so names that come and go cannot grow it.
 */
const liveEntries = new Map<string, Entry>();
const LIVE_ENTRIES_KEPT = 65_536;

/** A row as it travels at `now`: dead and left rows carry how long ago they became so. */
export function entryOf(r: MemberRecord, now: number): Entry {
  if (isLive(r.state)) {
    const code = MemberCode[r.state];
    const known = liveEntries.get(r.name);
    if (known && known.inc === r.incarnation && known.state === code && known.addr === r.address && known.tags === r.wireTags) return known;
    const e = entry(r.name, r.address, code, r.incarnation, r.wireTags);
    if (liveEntries.size >= LIVE_ENTRIES_KEPT) liveEntries.clear();
    liveEntries.set(r.name, e);
    return e;
  }
  return agedEntry(r.name, r.address, MemberCode[r.state], r.incarnation, r.wireTags, Math.max(0, Math.floor(now - r.stateChangedAt)));
}

/**
 * A row of a state transfer from `sender` as the claim it makes: an alive row is the member's
 * own claim (without `born`: rows do not say when a process life began), an accusation the sender's.
 */
export function updateOfRow(e: Entry, state: MemberState, sender: string): Update {
  switch (state) {
    case 'alive':
      return alive(e.name, e.addr, e.inc, e.tags);
    case 'suspect':
      return suspect(e.name, e.inc, sender);
    case 'dead':
      return dead(e.name, e.inc, sender);
    case 'left':
      return left(e.name, e.inc);
  }
}

/** Cut the entries into push-pull parts of at most `budget` bytes each. */
export function buildParts(entries: readonly Entry[], from: string, flags: number, budget: number): PushPull[] {
  const room = budget - PART_OVERHEAD_BYTES - strSize(from);
  const groups: Entry[][] = [];
  let current: Entry[] = [];
  let used = 0;
  for (const e of entries) {
    const size = entrySize(e);
    if (current.length > 0 && used + size > room) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(e);
    used += size;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((g, i) => pushPull(from, flags, i, groups.length, g));
}

/** Most rows a windowed catch-up may ask for (the count rides in the flags' upper 24 bits). */
export const MAX_RECENT_ROWS = 0xffffff;

/** Flags of a catch-up that asks for the peer's newest `rows` rows only. */
export function recentFlags(rows: number): number {
  return PushPullFlag.recent + Math.min(MAX_RECENT_ROWS, Math.max(1, Math.floor(rows))) * 256;
}

/** How many of our newest rows a push asks for, or undefined for the whole table. */
export function recentRows(flags: number): number | undefined {
  return flags & PushPullFlag.recent ? Math.floor(flags / 256) : undefined;
}
