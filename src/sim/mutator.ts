/**
 * Structure-aware mutation of captured packets, for hostile-input tests of a cluster: the
 * packets an agent really receives, changed the way a fuzzer or an attacker changes them. Byte
 * mutations (bit flips, truncation, splices, overwrites) test the decoder; field mutations
 * decode a packet, change one value inside one message (a name with a control character, an
 * address that does not parse, a duplicate tag, an incarnation at the edge) and encode it again,
 * so the packet is well-formed and only the values can refuse it.
 *
 * Seeded: the same corpus and seed give the same packets.
 */
import type { Random } from '../core/types.js';
import type { Message } from '../core/messages.js';
import type { Codec } from '../wire/codec.js';

export type MutationKind = 'bit-flip' | 'truncate' | 'splice' | 'overwrite' | 'field';
export const MUTATION_KINDS: readonly MutationKind[] = ['bit-flip', 'truncate', 'splice', 'overwrite', 'field'];

/** Characters that turn a valid string into one the CLI would refuse, or into a lookalike. */
const HOSTILE_CHARS = ['\u0000', '\t', '\n', '\u001b', '\u007f', '\u009b', '\u200b', '\u202e', ' ', '\ud800', ':', ']', '[', '.', '0', '9', 'é'];
const EDGE_NUMBERS = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -1, 0.5, Number.NaN];

type Fields = Record<string, unknown>;

export class PacketMutator {
  private readonly corpus: readonly Uint8Array[];

  constructor(
    corpus: readonly Uint8Array[],
    private readonly codec: Codec,
    private readonly random: Random,
  ) {
    if (corpus.length === 0) throw new RangeError('PacketMutator needs at least one captured packet');
    this.corpus = corpus;
  }

  /** One mutated packet and how it was made. */
  next(): { kind: MutationKind; bytes: Uint8Array } {
    const kind = MUTATION_KINDS[this.random.int(MUTATION_KINDS.length)]!;
    const base = this.pick();
    switch (kind) {
      case 'bit-flip':
        return { kind, bytes: this.flipBits(base) };
      case 'truncate':
        return { kind, bytes: base.slice(0, 1 + this.random.int(Math.max(1, base.length - 1))) };
      case 'splice':
        return { kind, bytes: this.splice(base, this.pick()) };
      case 'overwrite':
        return { kind, bytes: this.overwrite(base) };
      case 'field':
        return { kind, bytes: this.mutateField(base) ?? this.flipBits(base) };
    }
  }

  private pick(): Uint8Array {
    return this.corpus[this.random.int(this.corpus.length)]!;
  }

  private flipBits(base: Uint8Array): Uint8Array {
    const out = Uint8Array.from(base);
    const flips = 1 + this.random.int(4);
    for (let i = 0; i < flips; i++) out[this.random.int(out.length)]! ^= 1 << this.random.int(8);
    return out;
  }

  private splice(a: Uint8Array, b: Uint8Array): Uint8Array {
    const cut = this.random.int(a.length + 1);
    const from = this.random.int(b.length + 1);
    const out = new Uint8Array(cut + b.length - from);
    out.set(a.subarray(0, cut));
    out.set(b.subarray(from), cut);
    return out;
  }

  private overwrite(base: Uint8Array): Uint8Array {
    const out = Uint8Array.from(base);
    const at = this.random.int(out.length);
    const n = 1 + this.random.int(8);
    for (let i = at; i < Math.min(out.length, at + n); i++) out[i] = this.random.int(256);
    return out;
  }

  /** Decode, change one value of one message, encode: undefined when the base does not decode. */
  private mutateField(base: Uint8Array): Uint8Array | undefined {
    const decoded = this.codec.decode(base);
    if (!decoded.ok) return undefined;
    const messages = decoded.value.map((m) => clone(m));
    const target = messages[this.random.int(messages.length)]!;
    const holders = valueHolders(target);
    const [holder, key] = holders[this.random.int(holders.length)]!;
    holder[key] = this.mutateValue(holder[key]);
    return this.codec.encode(messages as unknown as Message[]);
  }

  private mutateValue(v: unknown): unknown {
    if (typeof v === 'number') return EDGE_NUMBERS[this.random.int(EDGE_NUMBERS.length)]! + (this.random.int(2) === 0 ? 0 : v);
    if (typeof v === 'string') return this.mutateString(v);
    if (Array.isArray(v)) {
      // A tag list: duplicate a key, drop a value, or unsort it.
      const tags = [...(v as unknown[])];
      const choice = this.random.int(3);
      if (choice === 0 && tags.length >= 2) tags.push(tags[0], tags[1]);
      else if (choice === 1) tags.push('k');
      else tags.unshift('zzz', 'v');
      return tags;
    }
    return v;
  }

  private mutateString(s: string): string {
    const c = HOSTILE_CHARS[this.random.int(HOSTILE_CHARS.length)]!;
    const at = this.random.int(s.length + 1);
    switch (this.random.int(4)) {
      case 0:
        return s.slice(0, at) + c + s.slice(at);
      case 1:
        return s.slice(0, at) + c + s.slice(at + 1);
      case 2:
        return s.slice(0, at);
      default:
        return s + s;
    }
  }
}

/** A deep copy that keeps key order (the codec's record shapes depend on it). */
function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (typeof v === 'object' && v !== null) {
    const out: Fields = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out;
  }
  return v;
}

/** Every (object, key) of a message whose value a mutation may change, entries included. */
function valueHolders(m: unknown): [Fields, string][] {
  const out: [Fields, string][] = [];
  const visit = (o: Fields): void => {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'type') continue;
      if (k === 'entries' && Array.isArray(v)) for (const e of v) visit(e as Fields);
      else out.push([o, k]);
    }
  };
  visit(m as Fields);
  return out;
}
