/**
 * The `--data-dir` snapshot: every member this agent knows (failed and left ones too, unlike
 * serf#333, so a cluster restarted as a whole after an outage finds itself with no seed up) and
 * its own incarnation (so a restart starts above any incarnation it used before).
 *
 * Written atomically and durably with mode 0600 (private-file.ts) and at a bounded rate: at most
 * one write per `minIntervalMs` however fast the table changes, and never on the packet path (a
 * timer does it). Read back with every field checked: the file is on disk, not trusted.
 */
import { join } from 'node:path';
import { ClusterError } from '../errors.js';
import type { Member, MemberState, Tags } from '../core/types.js';
import { addressProblem, nameProblem, tagKeyProblem, tagValueProblem } from '../wire/values.js';
import { writePrivateFileAtomic } from './private-file.js';
import { readJsonFile } from '../runtime/json-file.js';

/** One remembered member. */
export interface SnapshotMember {
  readonly name: string;
  readonly address: string;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly tags: Tags;
}

/** The file's content (version 1). */
export interface Snapshot {
  readonly version: 1;
  readonly name: string;
  /** Our own incarnation when written. */
  readonly incarnation: number;
  /** Wall-clock time of the write (ISO 8601), for operators. */
  readonly savedAt: string;
  readonly members: readonly SnapshotMember[];
}

/** The snapshot file inside the data directory. */
export function snapshotPath(dataDir: string): string {
  return join(dataDir, 'snapshot.json');
}

/** A snapshot as read back: the members that passed the checks, and how many did not. */
export interface ReadSnapshot extends Snapshot {
  /** Member rows dropped because a field was out of range (bad state, address, name...). */
  readonly skipped: number;
}

const STATES: ReadonlySet<string> = new Set<MemberState>(['alive', 'suspect', 'dead', 'left']);

/**
 * Read a snapshot; undefined when there is none yet. A corrupt file, or one whose own name or
 * incarnation is out of range, throws ERR_SNAPSHOT saying where it is, rather than silently
 * starting at incarnation 0 (which peers would ignore). Member rows with a bad field are
 * skipped and counted.
 */
export function readSnapshot(dataDir: string): ReadSnapshot | undefined {
  const path = snapshotPath(dataDir);
  const v = readJsonFile(path, { code: 'ERR_SNAPSHOT', label: path, hint: 'move it away to start afresh, or fix it', missingOk: true });
  if (v === undefined) return undefined;
  try {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    const o = v as Record<string, unknown>;
    if (o.version !== 1) throw new Error('not a version 1 snapshot');
    // +1: the agent restarts one above it, which must still be exact.
    if (!isIncarnation(o.incarnation) || !Number.isSafeInteger(o.incarnation + 1)) throw new Error('incarnation must be an integer from 0 to 2^53 - 2');
    if (o.name !== undefined && o.name !== '' && !isMemberName(o.name)) throw new Error(`name ${nameProblem(o.name)}`);
    if (!Array.isArray(o.members)) throw new Error('members must be a list');
    const members = o.members.flatMap((m: unknown): SnapshotMember[] => {
      const ok = toSnapshotMember(m);
      return ok ? [ok] : [];
    });
    return {
      version: 1,
      name: typeof o.name === 'string' ? o.name : '',
      incarnation: o.incarnation,
      savedAt: typeof o.savedAt === 'string' ? o.savedAt : '',
      members,
      skipped: o.members.length - members.length,
    };
  } catch (e) {
    throw new ClusterError('ERR_SNAPSHOT', `${path} is corrupt (${(e as Error).message}); move it away to start afresh, or fix it`);
  }
}

function isIncarnation(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

// The same rules as the wire and the CLI (wire/values.ts): a snapshot is input too.
const isMemberName = (v: unknown): v is string => nameProblem(v) === undefined;
const isPeerAddress = (v: unknown): v is string => addressProblem(v) === undefined;
const isTags = (v: unknown): v is Tags =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.entries(v).every(([k, t]) => tagKeyProblem(k) === undefined && tagValueProblem(t) === undefined);

/** The row as a member, or undefined when any field is out of range. */
function toSnapshotMember(v: unknown): SnapshotMember | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  const tags = m.tags ?? {};
  if (
    !isMemberName(m.name) ||
    !isPeerAddress(m.address) ||
    typeof m.state !== 'string' ||
    !STATES.has(m.state) ||
    !isIncarnation(m.incarnation) ||
    !isTags(tags)
  )
    return undefined;
  return { name: m.name, address: m.address, state: m.state as MemberState, incarnation: m.incarnation, tags };
}

/** Write a snapshot atomically and durably, mode 0600: a reader sees the old file or the new one, never half of one. */
export function writeSnapshot(dataDir: string, snap: Snapshot): void {
  writePrivateFileAtomic(snapshotPath(dataDir), JSON.stringify(snap));
}

/**
 * Addresses to rejoin through after a restart: members other than us, alive ones first, then
 * suspect, failed and left (after an outage every one may be marked failed or left), at most
 * `max` of them so a large table does not start a push-pull storm.
 */
export function rejoinAddresses(snap: Snapshot, self: string, max = 32): string[] {
  const order: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };
  const rows = snap.members.filter((m) => m.name !== self).sort((a, b) => (order[a.state] ?? 4) - (order[b.state] ?? 4));
  return [...new Set(rows.map((m) => m.address))].slice(0, max);
}

export interface SnapshotterDeps {
  members(): readonly Member[];
  incarnation(): number;
  /** Called when a write fails (disk full, permissions): the agent keeps running. */
  onError(err: Error): void;
}

/** Keeps the snapshot file up to date at a bounded rate. */
export class Snapshotter {
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = -Infinity;
  /** Writes done, for stats. */
  writes = 0;

  constructor(
    private readonly dataDir: string,
    private readonly name: string,
    private readonly deps: SnapshotterDeps,
    private readonly minIntervalMs = 1000,
  ) {}

  /** Something changed: write soon (at most once per minIntervalMs). */
  changed(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
    this.timer.unref();
  }

  /** Write now (at shutdown, and from the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWriteAt = performance.now();
    const members = this.deps.members().map((m) => ({ name: m.name, address: m.address, state: m.state, incarnation: m.incarnation, tags: m.tags }));
    try {
      writeSnapshot(this.dataDir, { version: 1, name: this.name, incarnation: this.deps.incarnation(), savedAt: new Date().toISOString(), members });
      this.writes++;
    } catch (e) {
      this.deps.onError(e as Error);
    }
  }

  /** Stop the timer without writing. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
