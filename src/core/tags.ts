/**
 * Member metadata. Tags travel as a flat list sorted by key ([k1, v1, k2, v2, ...]) so that the
 * same tags always encode to the same bytes, and the record table never meets an unknown shape.
 */
import type { Tags } from './types.js';

export const EMPTY_TAGS: Tags = Object.freeze({});
export const EMPTY_WIRE_TAGS: readonly string[] = Object.freeze([]);

export function tagsToWire(tags: Tags): readonly string[] {
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return EMPTY_WIRE_TAGS;
  const out: string[] = [];
  for (const k of keys) out.push(k, String(tags[k]));
  return Object.freeze(out);
}

export function tagsFromWire(wire: readonly string[]): Tags {
  if (wire.length === 0) return EMPTY_TAGS;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < wire.length; i += 2) out[wire[i]!] = wire[i + 1]!;
  return Object.freeze(out);
}

/** UTF-8 length of a string without Buffer (the core does no node: imports). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Size of the tags as msgpack encodes them (bytes): what the 512-byte cap is measured in. */
export function wireTagsSize(wire: readonly string[]): number {
  let n = wire.length < 16 ? 1 : 3;
  for (const s of wire) {
    const len = utf8Length(s);
    n += len + (len < 32 ? 1 : len < 256 ? 2 : 3);
  }
  return n;
}

export function sameWireTags(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Why the tags are not acceptable, or undefined when they are. */
export function checkTags(tags: Tags, maxBytes: number): string | undefined {
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string') return `tag ${JSON.stringify(k)} must be a string, got ${typeof v}`;
    if (k.length === 0) return 'tag keys must not be empty';
  }
  const size = wireTagsSize(tagsToWire(tags));
  if (size > maxBytes) return `tags take ${size} bytes encoded, more than maxTagsBytes (${maxBytes})`;
  return undefined;
}
