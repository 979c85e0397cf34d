/**
 * Keeps a {@link HashRing} in step with membership: alive and suspect members are on the ring
 * (a suspect may still be fine; moving its keys on every suspicion would churn data), dead
 * ("failed") and left members are off it. The member's state decides, not the event's name, so
 * an `update` of a dead member never puts it back.
 *
 * Each batch of events that changes the ring emits one `ring-changed` event carrying the moved
 * key ranges, computed by diffing the ring before and after (see diff.ts). Batching, as ringpop
 * does, turns a join burst of 100 members into one diff instead of 100.
 */
import { isLive, type Member, type MemberEvent, type MemberState } from '../core/types.js';
import { diffRings, type RangeMove } from './diff.js';
import { TypedEmitter, type Unsubscribe } from '../runtime/emitter.js';
import { HashRing } from './hash-ring.js';

/** Payload of `ring-changed`: what changed, which key ranges moved, and the new checksum. */
export interface RingChange {
  /** Names that came onto the ring, sorted. */
  readonly added: readonly string[];
  /** Names that went off the ring, sorted. */
  readonly removed: readonly string[];
  /** Names that stayed but changed weight or zone, sorted. */
  readonly updated: readonly string[];
  /** Key hash ranges whose owner changed, in hash order. */
  readonly moves: readonly RangeMove[];
  /** The ring's checksum after the change (see `HashRing.checksum`). */
  readonly checksum: number;
}

/** Whether a member in `state` owns keys: live members (alive and suspect) do; dead and left do not. */
export const onRing: (state: MemberState) => boolean = isLive;

/** Feeds membership events into a ring and announces the resulting key movement. */
export class RingFeed {
  private readonly emitter = new TypedEmitter<{ 'ring-changed': RingChange }>();

  /** `ring` is owned by the feed from now on: change it only through the feed. */
  constructor(readonly ring: HashRing = new HashRing()) {}

  /** Subscribes to `ring-changed`; returns the unsubscribe function. */
  on(type: 'ring-changed', listener: (change: RingChange) => void): Unsubscribe {
    return this.emitter.on(type, listener);
  }

  /** Applies one membership event; returns (and emits) the change, or undefined if none. */
  apply(event: MemberEvent): RingChange | undefined {
    return this.applyAll([event]);
  }

  /** Applies events in order as one batch: at most one `ring-changed` for all of them. */
  applyAll(events: Iterable<MemberEvent>): RingChange | undefined {
    return this.batch((touch) => {
      for (const e of events) touch(e.member);
    });
  }

  /** Makes the ring hold exactly the on-ring members of `members` (a full membership snapshot). */
  reset(members: Iterable<Member>): RingChange | undefined {
    const list = [...members];
    return this.batch((touch) => {
      const present = new Set(list.map((m) => m.name));
      for (const name of this.ring.members()) {
        if (!present.has(name)) touch({ name, state: 'left', tags: {} });
      }
      for (const m of list) touch(m);
    });
  }

  private batch(body: (touch: (m: Pick<Member, 'name' | 'state' | 'tags'>) => void) => void): RingChange | undefined {
    const before = this.ring.snapshot();
    const was = new Map<string, string | undefined>();
    const describe = (name: string): string | undefined =>
      this.ring.has(name) ? `${this.ring.pointsOf(name)}:${this.ring.zoneOfMember(name) ?? ''}` : undefined;
    body((m) => {
      if (!was.has(m.name)) was.set(m.name, describe(m.name));
      if (onRing(m.state)) this.ring.add(m);
      else this.ring.remove(m.name);
    });
    const added: string[] = [];
    const removed: string[] = [];
    const updated: string[] = [];
    for (const [name, old] of was) {
      const now = describe(name);
      if (old === now) continue;
      if (old === undefined) added.push(name);
      else if (now === undefined) removed.push(name);
      else updated.push(name);
    }
    if (added.length + removed.length + updated.length === 0) return undefined;
    const change: RingChange = {
      added: added.sort(),
      removed: removed.sort(),
      updated: updated.sort(),
      moves: diffRings(before, this.ring.snapshot()),
      checksum: this.ring.checksum(),
    };
    this.emitter.emit('ring-changed', change);
    return change;
  }
}
