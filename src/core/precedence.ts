/**
 * The one precedence rule: what a claim about another member may do to the row we hold.
 *
 * Every membership claim about another member, gossiped or from a state transfer, is judged here
 * and nowhere else; the coordinator (swim.ts) only carries out the ruling. The order of the rows
 * is fixed: a higher incarnation wins; at equal incarnation left > dead > suspect > alive (left
 * outranks dead so that a member that left and then stopped answering shows `left`, never
 * `failed`). On top of that order come the rules that keep one faulty or forged sender from
 * changing a table (docs/PROTOCOL.md): incarnation bounds, the multi-observer rule, a live
 * member does not move, a third party's `left` needs a verdict first, and a state transfer's
 * death is only a suspicion of a member we hold live.
 */
import type { ProtocolConfig } from '../config.js';
import type { MemberRecord } from './membership.js';
import * as M from './messages.js';
import { utf8Length } from './tags.js';
import { isLive, type MemberState } from './types.js';

const rank: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/** Does a claim (state, incarnation) override what we hold? The order every row obeys. */
export function overrides(state: MemberState, inc: number, current: { readonly state: MemberState; readonly incarnation: number }): boolean {
  if (inc !== current.incarnation) return inc > current.incarnation;
  return rank[state] > rank[current.state];
}

/**
 * Does the row we hold (state, incarnation) already say as much as a claim from a state
 * transfer: a higher incarnation, or the same one in the same state (or the claim is a mere
 * alive)? Most rows of a state transfer are old news; the table answers this without a record.
 */
export function saysAsMuch(state: MemberState, inc: number, held: { readonly state: MemberState; readonly incarnation: number }): boolean {
  return held.incarnation > inc || (held.incarnation === inc && (held.state === state || state === 'alive'));
}

/**
 * Incarnation bounds (issue 18, finding 2). A member refutes a claim by going one above it, so a
 * claim at the last incarnation the wire carries (2^53 - 1) would lock it out for good. Claims
 * about others may raise what we hold by at most MAX_INCARNATION_STEP, and a member we do not
 * hold enters at most at MAX_NEW_INCARNATION: a forger must make the member refute about 2^29
 * times to walk it to the top, and every honest jump (refutations and tag changes we missed)
 * is far smaller. Accusations stop one below the top, so the top itself is always a refutation.
 */
export const MAX_INCARNATION_STEP = 2 ** 24;
export const MAX_NEW_INCARNATION = 2 ** 40;
export const MAX_INCARNATION = Number.MAX_SAFE_INTEGER;

/** May a claim (state, inc) about a member we hold at `held` (undefined: not held) be taken? */
export function incarnationAllowed(state: MemberState, inc: number, held: number | undefined): boolean {
  // An accusation may not raise a member to the top, where it could not refute it; one at the
  // incarnation we already hold raises nothing. Without that, a member at the top could never be
  // suspected, and would stay alive in every table after it died.
  const ceiling = state === 'alive' ? MAX_INCARNATION : Math.max(MAX_INCARNATION - 1, held ?? 0);
  if (!Number.isSafeInteger(inc) || inc < 0 || inc > ceiling) return false;
  return inc <= (held === undefined ? MAX_NEW_INCARNATION : Math.max(held, 0) + MAX_INCARNATION_STEP);
}

/** How a claim reached us: gossip (or a direct message), or as `row` of a full state transfer from `sender`. */
export type Via = { readonly kind: 'gossip' } | { readonly kind: 'state-transfer'; readonly sender: string; readonly row: M.Entry };
export const GOSSIP: Via = { kind: 'gossip' };

/** What the rule needs to know beyond the claim and the row. */
export interface Judge {
  readonly config: Pick<
    ProtocolConfig,
    'activeConfirmation' | 'lifeguardDynamicSuspicion' | 'flapDamping' | 'maxNameBytes' | 'reapFailedAfterMs' | 'reapLeftAfterMs'
  >;
  /** Do we hold `name` live? Only live members count as accusers. */
  liveMember(name: string): boolean;
  /** Would a `dead` from `from` be the word of a single observer of `known`, a member we hold live? */
  soleAccuser(known: MemberRecord, from: string): boolean;
  /** Did a force-leave with prune forget `name` at `inc` or above, lately (pruned.ts)? */
  pruned(name: string, inc: number): boolean;
}

/**
 * What to do with a claim. `relay`: pass it on by gossip if it changes our table. Third-party
 * rows from a state transfer are not relayed (the peer that gave them is already a full source,
 * and relaying every row of every transfer would turn a join burst into n² gossip), except a
 * member's own alive row and suspicions (issue 18, finding 12, keeps the latter for now).
 */
export type Ruling =
  /** Nothing new, or nothing we act on. */
  | { readonly kind: 'ignore' }
  /** Refused and counted as a drop by reason. */
  | { readonly kind: 'drop'; readonly reason: 'incarnation-jump' | 'left-while-live' }
  /** An alive claim of a live member at another address: a name conflict, not news. */
  | { readonly kind: 'conflict'; readonly claim: M.Alive }
  /** An alive claim newer than the death we hold it at, with flap damping on: vetting decides. */
  | { readonly kind: 'vet'; readonly claim: M.Alive; readonly relay: boolean }
  /** Take the alive claim; `reborn`: it comes from a new process life, forget its history. */
  | { readonly kind: 'alive'; readonly claim: M.Alive; readonly reborn: boolean; readonly relay: boolean }
  /** Start suspecting (a weak death included). */
  | { readonly kind: 'suspect'; readonly claim: M.Suspect; readonly relay: boolean }
  /** A suspicion at the incarnation we suspect it at, from a live and independent accuser: one more confirmation. */
  | { readonly kind: 'confirm'; readonly claim: M.Suspect; readonly relay: boolean }
  /** An accusation of a member that left: the accuser missed the `left`. */
  | { readonly kind: 'remind-left' }
  /** A dead or left verdict: taken, unless the member is on probation (vetting.ts). */
  | { readonly kind: 'down'; readonly claim: M.Dead | M.Left; readonly relay: boolean }
  /** A departed row of a member pruned here lately, from a peer that missed the prune: tell it again. */
  | { readonly kind: 'remind-pruned'; readonly name: string }
  /** A force-leave with prune of a member we hold departed: forget the row. */
  | { readonly kind: 'prune'; readonly claim: M.Left; readonly relay: boolean }
  /**
   * A departed member we never knew, from a state transfer, younger than the reap age: remember
   * it (without an event) as one to reconnect to, with the age of its death, so that it is
   * forgotten here when it is forgotten there.
   */
  | { readonly kind: 'adopt'; readonly state: 'dead' | 'left'; readonly row: M.Entry; readonly age: number };

const IGNORE: Ruling = { kind: 'ignore' };

/** The ruling on claim `m` about a member other than us, which we hold as `known`. */
export function judge(m: M.Update, known: MemberRecord | undefined, via: Via, j: Judge): Ruling {
  const state = M.memberStateOf[m.type - M.MsgType.Alive]!;
  if (via.kind === 'state-transfer') {
    if (known && saysAsMuch(state, m.inc, known)) return IGNORE;
    if (!isLive(state) && !known) {
      // A death without an age (an older peer) or past the reap age is ignored, as memberlist
      // ignores news of the death of members it does not know: it must never come back.
      const reapAfter = state === 'dead' ? j.config.reapFailedAfterMs : j.config.reapLeftAfterMs;
      const age = via.row.age;
      if (age === undefined || age >= reapAfter) return IGNORE;
      if (j.pruned(m.name, m.inc)) return { kind: 'remind-pruned', name: m.name };
      return { kind: 'adopt', state, row: via.row, age };
    }
    // A peer's old verdict is weak evidence: suspect, and let the member refute (memberlist does the same).
    if (m.type === M.MsgType.Dead && known && isLive(known.state)) return judgeGossip(M.suspect(m.name, m.inc, via.sender), known, true, j);
    return judgeGossip(m, known, m.type === M.MsgType.Alive ? m.name === via.sender : m.type === M.MsgType.Suspect, j);
  }
  return judgeGossip(m, known, true, j);
}

function judgeGossip(m: M.Update, known: MemberRecord | undefined, relay: boolean, j: Judge): Ruling {
  if (!incarnationAllowed(M.memberStateOf[m.type - M.MsgType.Alive]!, m.inc, known?.incarnation)) return { kind: 'drop', reason: 'incarnation-jump' };
  switch (m.type) {
    case M.MsgType.Alive: {
      if (utf8Length(m.name) > j.config.maxNameBytes) return IGNORE;
      if (known?.state === 'dead' && m.inc > known.incarnation && j.config.flapDamping) return { kind: 'vet', claim: m, relay };
      // A live member does not move: another address is a conflict (two processes with one
      // name, or a forged claim), not news. memberlist rejects it the same way; a member that
      // really moved is declared dead at its old address first, and comes back at the new one.
      if (known && isLive(known.state) && known.address !== m.addr) return { kind: 'conflict', claim: m };
      const reborn = known !== undefined && m.born !== undefined && m.born > known.incarnation && m.inc > known.incarnation;
      return { kind: 'alive', claim: m, reborn, relay };
    }
    case M.MsgType.Suspect: {
      if (!known) return IGNORE;
      if (known.state === 'left' && known.incarnation >= m.inc) return { kind: 'remind-left' };
      if (known.state === 'suspect' && known.incarnation === m.inc) {
        // An independent accuser shortens the suspicion. Only a member we hold live counts, and
        // never the suspect itself: made-up names must not cut a suspicion short.
        const counts = j.config.lifeguardDynamicSuspicion || j.config.activeConfirmation;
        return counts && j.liveMember(m.from) && m.from !== m.name ? { kind: 'confirm', claim: m, relay } : IGNORE;
      }
      // A suspicion raises nothing but a live row: a member we hold dead or left comes back only by its own claim.
      if (!(known.state === 'alive' && m.inc >= known.incarnation) && !(known.state === 'suspect' && m.inc > known.incarnation)) return IGNORE;
      return { kind: 'suspect', claim: m, relay };
    }
    case M.MsgType.Dead:
    case M.MsgType.Left: {
      if (!known) return IGNORE;
      // A prune forgets only a member we hold departed, at no newer incarnation: a live one
      // refuses it below as any third party's left, and a newer life of it is not the one pruned.
      if (m.type === M.MsgType.Left && m.prune === 1 && !isLive(known.state) && known.incarnation <= m.inc) return { kind: 'prune', claim: m, relay };
      // Multi-observer rule: one member's verdict on a member we still hold alive is only an
      // accusation. A single slow or one-way-broken agent must not kill a healthy member.
      // The same holds for a member we hold suspect, for less than the removal floor, without
      // enough independent confirmations: else a `suspect` and a `dead` in one packet, from one
      // agent, kill directly (issue 18).
      if (m.type === M.MsgType.Dead && j.config.activeConfirmation && isLive(known.state) && m.inc >= known.incarnation && j.soleAccuser(known, m.from)) {
        return judgeGossip(M.suspect(m.name, m.inc, m.from), known, relay, j);
      }
      // A member's own leave raises its incarnation, so a `left` at the very incarnation we hold
      // it live at is a third party's: a force-leave from an agent that holds it failed, or a
      // forgery. Only agents that hold it failed take it; we may still do, by gossip or
      // push-pull, once we hold it failed too.
      if (m.type === M.MsgType.Left && isLive(known.state) && m.inc === known.incarnation) return { kind: 'drop', reason: 'left-while-live' };
      return { kind: 'down', claim: m, relay };
    }
  }
}
