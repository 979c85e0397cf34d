/**
 * Recent history of each member, so "why was X declared dead?" has an answer: each change of
 * state (when, at which incarnation) and each accusation (probe failed, suspicion started by
 * whom, suspicion expired). Bounded twice: entries per member and members remembered.
 */
import type { Note } from '../core/io.js';
import type { MemberEvent } from '../core/types.js';
import { statusOf, type MemberStatus } from '../member-status.js';

/** One line of a member's history. */
export interface HistoryEntry {
  /** Wall-clock time (ISO 8601): operators compare it with other logs. */
  readonly at: string;
  /** `event` = a change of state as this agent saw it; the others explain one. */
  readonly kind: 'event' | 'probe-failed' | 'suspicion-started' | 'suspicion-expired' | 'refuted';
  readonly event?: MemberEvent['type'];
  readonly status?: MemberStatus;
  readonly incarnation?: number;
  /** Who reported or confirmed it (a member name; ourselves when we probed). */
  readonly by?: string;
  readonly detail?: string;
}

/** Re-exported for the agent's modules; the function lives in member-status.ts. */
export { statusOf } from '../member-status.js';

export class MemberHistory {
  private readonly rows = new Map<string, HistoryEntry[]>();

  constructor(
    private readonly self: string,
    private readonly perMember = 32,
    private readonly maxMembers = 10_000,
  ) {}

  event(e: MemberEvent): void {
    const m = e.member;
    this.push(m.name, { at: now(), kind: 'event', event: e.type, status: statusOf(m.state), incarnation: m.incarnation });
  }

  note(n: Note): void {
    switch (n.kind) {
      case 'probe-failed':
        return this.push(n.target, { at: now(), kind: 'probe-failed', by: this.self, detail: `no ack to our probe; asked ${n.indirect} other member(s)` });
      case 'suspicion-started':
        return this.push(n.target, { at: now(), kind: 'suspicion-started', by: n.by, detail: `declared failed in ${n.timeoutMs} ms unless refuted` });
      case 'suspicion-expired':
        return this.push(n.target, { at: now(), kind: 'suspicion-expired', by: this.self, detail: 'not refuted in time' });
      case 'refuted':
        return this.push(this.self, {
          at: now(),
          kind: 'refuted',
          incarnation: n.incarnation,
          by: n.accusedBy,
          detail: 'we were accused and refuted with a higher incarnation',
        });
      case 'reaped':
        this.rows.delete(n.name);
        return;
      default:
        return;
    }
  }

  /** The history of one member, oldest first (empty if unknown). */
  of(name: string): readonly HistoryEntry[] {
    return this.rows.get(name) ?? [];
  }

  private push(name: string, entry: HistoryEntry): void {
    let list = this.rows.get(name);
    if (!list) {
      if (this.rows.size >= this.maxMembers) {
        const oldest = this.rows.keys().next().value;
        if (oldest !== undefined) this.rows.delete(oldest);
      }
      this.rows.set(name, (list = []));
    }
    list.push(entry);
    if (list.length > this.perMember) list.splice(0, list.length - this.perMember);
  }
}

function now(): string {
  return new Date().toISOString();
}
