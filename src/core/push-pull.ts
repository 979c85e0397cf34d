/**
 * Push-pull anti-entropy as independent datagrams: the full table is cut into parts that each
 * fit the packet budget and each merge on their own, so one lost part only delays, and the same
 * UDP transport carries everything.
 */
import { MemberCode, PushPullFlag, agedEntry, alive, dead, entry, left, pushPull, suspect, type Entry, type PushPull, type Update } from './messages.js';
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
 * The last entry made for each live row, by the row's name id (the shared name pool's, so one
 * entry per member for every table of the process), with its encoded size: a state transfer
 * repeats the same rows to many receivers, and the simulator's codec decodes an entry it has
 * seen once (wire/codec.ts, shareDecoded). A memo only: the entry is equal either way. Ids are
 * reused when names go, so the memo is as long as the pool and is checked against the row.
 */
const liveEntries: (Entry | undefined)[] = [];
const liveEntrySizes: number[] = [];

/**
 * Append a row as it travels at `now` to `entries`, and its size bound to `sizes`: dead and left
 * rows carry how long ago they became so. `id` is the row's name id (membership.ts).
 */
export function pushRowEntry(
  id: number,
  name: string,
  addr: string,
  state: MemberState,
  inc: number,
  tags: readonly string[],
  changedAt: number,
  now: number,
  entries: Entry[],
  sizes: number[],
): void {
  if (isLive(state)) {
    const code = MemberCode[state];
    let e = liveEntries[id];
    if (e === undefined || e.name !== name || e.inc !== inc || e.state !== code || e.addr !== addr || e.tags !== tags) {
      e = entry(name, addr, code, inc, tags);
      liveEntries[id] = e;
      liveEntrySizes[id] = entrySize(e);
    }
    entries.push(e);
    sizes.push(liveEntrySizes[id]!);
    return;
  }
  const e = agedEntry(name, addr, MemberCode[state], inc, tags, Math.max(0, Math.floor(now - changedAt)));
  entries.push(e);
  sizes.push(entrySize(e));
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

/** Cut the entries into push-pull parts of at most `budget` bytes each; `sizes[i]` is entrySize(entries[i]). */
export function buildParts(entries: readonly Entry[], sizes: readonly number[], from: string, flags: number, budget: number): PushPull[] {
  const room = budget - PART_OVERHEAD_BYTES - strSize(from);
  const groups: Entry[][] = [];
  let current: Entry[] = [];
  let used = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const size = sizes[i]!;
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
