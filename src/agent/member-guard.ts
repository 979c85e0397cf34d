/**
 * Bounds on what remote peers can make an agent remember, applied between the codec and the
 * core (so the core stays as it is): a forged flood of `alive` messages or push-pull rows for
 * millions of made-up names cannot grow the member table past `maxMembers`, and no member is
 * taken in with a name over `maxNameBytes` or tags over `maxTagsBytes`.
 *
 * Only news about names we do not know is capped; members already in the table are always
 * updated, so a full table still converges. What is cut is counted by reason (`member-cap`,
 * `too-big-meta`); the rest of the packet goes on to the core, as with unknown message types.
 * A packet left with nothing is a drop the Driver counts.
 *
 * Counting the table costs O(n), so the count is refreshed at most every `refreshMs` and the
 * names admitted since are added to it: a flood cannot make each forged name cost a table walk.
 */
import { MsgType, type Entry, type Message } from '../core/messages.js';
import { utf8Length, wireTagsSize } from '../core/tags.js';
import type { Codec, DropReason } from '../wire/codec.js';
import { err, ok } from '../wire/result.js';

export interface MemberGuardInit {
  /** Most members (any state, ourselves included) the table may hold. */
  readonly maxMembers: number;
  /** Longest member name accepted (bytes of UTF-8); the protocol's maxNameBytes. */
  readonly maxNameBytes: number;
  /** Largest tags accepted for a member (msgpack bytes, as the core measures them). */
  readonly maxTagsBytes: number;
  /** How stale the table count may get (ms). Default 100. */
  readonly refreshMs?: number;
  /**
   * `count()` is exact and O(1), and each decoded packet is applied before the next is decoded
   * (the Driver's synchronous receive): then a packet whose rows all fit beside the table cannot
   * break the cap, and its rows are checked for size only, with no lookup per row. Default false.
   */
  readonly exactCount?: boolean;
}

export interface MemberGuardDeps {
  /** Whether the table already holds this name. */
  has(name: string): boolean;
  /** Rows in the table (any state). */
  count(): number;
  /** Clock for the count refresh (ms). */
  now(): number;
  /** Messages or rows cut from a packet that still went on. */
  onDrop?(reason: DropReason, n: number): void;
}

/** Default cap: room for the 5,000-member clusters DESIGN.md targets, three times over. */
export const DEFAULT_MAX_MEMBERS = 16_384;

/** Wrap `codec` so decoded packets respect the member bounds. */
export function createMemberGuard(codec: Codec, init: MemberGuardInit, deps: MemberGuardDeps): Codec {
  const refreshMs = init.refreshMs ?? 100;
  let counted = 0;
  let countedAt = -Infinity;
  // Names let through since the last count: a name seen twice (a join sent again with its
  // cookie) is one row, not two.
  // Made at the first unknown name: most packets carry none.
  let admitted: Set<string> | undefined;

  /** Why a row about `name` must not go in, or undefined. */
  // Per row of every state transfer, so the common case is cut short: a name of n UTF-16 units
  // is at most 3n bytes of UTF-8, and no tags at all cannot be too big.
  const nameMayBeLong = (name: string): boolean => name.length * 3 > init.maxNameBytes && utf8Length(name) > init.maxNameBytes;
  const tooBig = (name: string, tags: readonly string[] | undefined): boolean =>
    nameMayBeLong(name) || (tags !== undefined && tags.length > 0 && wireTagsSize(tags) > init.maxTagsBytes);
  const refuse = (name: string, tags: readonly string[] | undefined): DropReason | undefined => {
    if (tooBig(name, tags)) return 'too-big-meta';
    if (deps.has(name)) return undefined;
    const now = deps.now();
    if (now - countedAt >= refreshMs) {
      counted = deps.count();
      countedAt = now;
      admitted?.clear();
    }
    admitted ??= new Set();
    if (admitted.has(name)) return undefined;
    if (counted + admitted.size >= init.maxMembers) return 'member-cap';
    admitted.add(name);
    return undefined;
  };

  /** Every row of the packet fits beside the table, and none is over a size cap. */
  const fitsWhole = (ms: readonly Message[]): boolean => {
    let rows = 0;
    for (const m of ms) {
      if (m.type === MsgType.Alive) {
        rows++;
        if (tooBig(m.name, m.tags)) return false;
      } else if (m.type === MsgType.PushPull) {
        const entries = m.entries;
        rows += entries.length;
        for (let i = 0; i < entries.length; i++) if (tooBig(entries[i]!.name, entries[i]!.tags)) return false;
      }
    }
    return rows === 0 || deps.count() + rows <= init.maxMembers;
  };

  return {
    sizeOf: codec.sizeOf,
    encode: codec.encode,
    decode(bytes) {
      const r = codec.decode(bytes);
      if (!r.ok) return r;
      const ms = r.value;
      if (init.exactCount) {
        if (fitsWhole(ms)) return r;
        // Packets let through whole since the last count are in the table now: count afresh.
        countedAt = -Infinity;
      }
      let cut: Partial<Record<DropReason, number>> | undefined;
      // Made at the first message cut or changed: most packets pass whole and cost no copy.
      let kept: Message[] | undefined;
      let joinRefused = false;
      for (let k = 0; k < ms.length; k++) {
        const m = ms[k]!;
        let keep: Message | undefined = m;
        if (m.type === MsgType.Alive) {
          const why = refuse(m.name, m.tags);
          if (why) {
            cut ??= {};
            cut[why] = (cut[why] ?? 0) + 1;
            keep = undefined;
          }
        } else if (m.type === MsgType.PushPull) {
          let rows: Entry[] | undefined;
          const entries = m.entries;
          for (let i = 0; i < entries.length; i++) {
            const e = entries[i]!;
            const why = refuse(e.name, e.tags);
            if (why) {
              cut ??= {};
              cut[why] = (cut[why] ?? 0) + 1;
              rows ??= entries.slice(0, i);
            } else rows?.push(e);
          }
          // A push from a sender we cannot take in must not be answered: a join (or a joiner's
          // re-dial of its seed, which is no join by its flags) would report success while nobody
          // here knows it. Refuse the whole packet, so the joiner hears why.
          if (rows && !rows.some((e) => e.name === m.from) && entries.some((e) => e.name === m.from)) {
            joinRefused = true;
            keep = undefined;
          } else if (rows) keep = { ...m, entries: rows }; // with no rows left it still answers a join or asks for our state
        }
        if (keep !== m) kept ??= ms.slice(0, k);
        if (kept && keep) kept.push(keep);
      }
      if (!cut) return r;
      const counts = Object.entries(cut) as [DropReason, number][];
      if (!kept || kept.length === 0 || joinRefused) {
        const [first, n] = counts[0]!;
        for (const [reason, k] of counts.slice(1)) deps.onDrop?.(reason, k);
        if (n > 1) deps.onDrop?.(first, n - 1);
        return err(first);
      }
      for (const [reason, n] of counts) deps.onDrop?.(reason, n);
      return ok(kept);
    },
  };
}
