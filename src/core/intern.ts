/**
 * Intern pools for the member table (issue 16): every agent of a 10,000-host cluster holds every
 * member's name, address and tags, so one copy of each string per process, not one per row and
 * per agent (each decoded packet carries its own copies), is most of what keeps the table small.
 *
 * A pool gives each distinct key a small integer id, shared by every table that uses the pool,
 * and counts how many rows hold it: an id whose last row goes is freed and reused, so a process
 * whose members come and go (new names after every deploy) does not grow without bound. Pure
 * data: no IO, no clock, no randomness; ids never decide an order anyone can see (a table keeps
 * its own row order), so sharing a pool between simulations does not change their traces.
 */
import type { Tags } from './types.js';
import { EMPTY_TAGS, EMPTY_WIRE_TAGS, tagsFromWire } from './tags.js';

export class InternPool<T> {
  private readonly ids = new Map<string, number>();
  private readonly items: (T | undefined)[] = [];
  private readonly keys: (string | undefined)[] = [];
  private refs = new Int32Array(64);
  private readonly free: number[] = [];
  /**
   * The last key looked up and its id (undefined: not held): a row update looks its name up
   * several times in a row (old news? held? apply, write), and a Map lookup hashes and compares
   * the key each time. A new member's name misses five times before its row is written.
   */
  private lastKey: string | undefined;
  private lastId: number | undefined;

  constructor(private readonly make: (key: string) => T) {}

  /** Ids in use are below this: the size a table indexed by id needs. */
  get capacity(): number {
    return this.items.length;
  }
  /** Distinct keys held by some row. */
  get size(): number {
    return this.ids.size;
  }

  /** The id of `key`, if some row holds it (no reference taken). */
  idOf(key: string): number | undefined {
    if (key === this.lastKey) return this.lastId;
    const id = this.ids.get(key);
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  /** Take one reference to `key`; returns its id. */
  acquire(key: string): number {
    let id = this.idOf(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.items.length;
      // A flat copy: a decoded string may be a slice of the whole packet and keep it alive.
      const own = flatCopy(key);
      this.ids.set(own, id);
      this.keys[id] = own;
      this.items[id] = this.make(own);
      this.lastKey = key;
      this.lastId = id;
      if (id >= this.refs.length) {
        const grown = new Int32Array(Math.max(this.refs.length * 2, id + 1));
        grown.set(this.refs);
        this.refs = grown;
      }
    }
    this.refs[id]!++;
    return id;
  }

  /** Drop one reference; the last one frees the id. */
  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    if (this.lastId === id) this.lastKey = undefined;
    this.ids.delete(this.keys[id]!);
    this.keys[id] = undefined;
    this.items[id] = undefined;
    this.free.push(id);
  }

  /** The item of a held id. */
  item(id: number): T {
    return this.items[id]!;
  }
}

/** A member's tags as they travel and as users read them, one frozen pair per distinct set. */
export interface InternedTags {
  readonly wire: readonly string[];
  readonly tags: Tags;
}

/** The pools a member table draws from. */
export interface Interner {
  readonly names: InternPool<string>;
  readonly addresses: InternPool<string>;
  readonly tags: InternPool<InternedTags>;
}

export function createInterner(): Interner {
  return {
    names: new InternPool((s) => s),
    addresses: new InternPool((s) => s),
    tags: new InternPool((key) => {
      const wire = JSON.parse(key) as string[];
      return wire.length === 0 ? { wire: EMPTY_WIRE_TAGS, tags: EMPTY_TAGS } : { wire: Object.freeze(wire), tags: tagsFromWire(wire) };
    }),
  };
}

/** The key of a tag set: unambiguous whatever the strings hold. */
export function tagsKey(wire: readonly string[]): string {
  return wire.length === 0 ? '[]' : JSON.stringify(wire);
}

/** Shared by every table in the process that is not given its own pools. */
export const sharedInterner: Interner = createInterner();

function flatCopy(s: string): string {
  return s.length === 0 ? s : (JSON.parse(JSON.stringify(s)) as string);
}
