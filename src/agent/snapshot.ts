/**
 * The `--data-dir` snapshot: every member this agent knows (failed and left ones too, unlike
 * serf#333, so a cluster restarted as a whole after an outage finds itself with no seed up) and
 * its own incarnation (so a restart starts above any incarnation it used before).
 *
 * Written atomically (temp file, fsync, rename) and at a bounded rate: at most one write per
 * `minIntervalMs` however fast the table changes, and never on the packet path (a timer does it).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError } from '../errors.js';
import type { Member, MemberState, Tags } from '../core/types.js';

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

/**
 * Read a snapshot; undefined when there is none yet. A corrupt file throws ERR_SNAPSHOT saying
 * where it is, rather than silently starting at incarnation 0 (which peers would ignore).
 */
export function readSnapshot(dataDir: string): Snapshot | undefined {
  const path = snapshotPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClusterError('ERR_SNAPSHOT', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as Partial<Snapshot>;
    if (v.version !== 1 || typeof v.incarnation !== 'number' || !Array.isArray(v.members)) throw new Error('not a version 1 snapshot');
    const members = v.members.filter(
      (m): m is SnapshotMember => typeof m?.name === 'string' && typeof m.address === 'string' && typeof m.incarnation === 'number' && typeof m.state === 'string',
    );
    return { version: 1, name: String(v.name ?? ''), incarnation: v.incarnation, savedAt: String(v.savedAt ?? ''), members };
  } catch (e) {
    throw new ClusterError('ERR_SNAPSHOT', `${path} is corrupt (${(e as Error).message}); move it away to start afresh, or fix it`);
  }
}

/** Write a snapshot atomically: a reader sees the old file or the new one, never half of one. */
export function writeSnapshot(dataDir: string, snap: Snapshot): void {
  mkdirSync(dataDir, { recursive: true });
  const path = snapshotPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap));
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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
