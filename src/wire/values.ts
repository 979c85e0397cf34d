/**
 * What a member name, a member address and a tag may look like: one rule for the wire, the
 * CLI, the config and the snapshot, so a value the operator could not type can never be planted
 * by a packet either. Every check returns why a value is refused, or undefined when it is fine;
 * none throws, so the codec can use them on untrusted input.
 */
import { isIP } from 'node:net';

/** Hard byte caps that hold whatever the config says (the config may only lower them). */
export const VALUE_LIMITS = {
  /** A member name, in UTF-8 bytes (config `maxNameBytes` is at most this). */
  maxNameBytes: 255,
  /** An address: a bracketed IPv6 literal with a port is at most 47 bytes; a DNS name 253 + 6. */
  maxAddressBytes: 261,
  /** One tag key, in UTF-8 bytes. */
  maxTagKeyBytes: 128,
  /** One tag value, in UTF-8 bytes (the whole tag set is capped by config `maxTagsBytes`). */
  maxTagValueBytes: 1024,
} as const;

/**
 * Whitespace, control and format characters (bidi overrides, zero-width marks) and unpaired
 * surrogates: they make names that print as something else or drive the operator's terminal.
 */
const NAME_FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cs}]/u;
/** Tag values may hold spaces, but nothing that prints as something else. */
const VALUE_FORBIDDEN = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PORT = /^[1-9][0-9]{0,4}$/;

/** UTF-8 byte length, stopping early once it passes `limit` (a hostile string may be long). */
function utf8Over(s: string, limit: number): boolean {
  if (s.length > limit) return true;
  if (s.length * 3 <= limit) return false;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: one 4-byte character in two code units.
      n += 4;
      i++;
    } else n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (n > limit) return true;
  }
  return false;
}

/** Why `name` cannot be a member name, or undefined. */
export function nameProblem(name: unknown, maxBytes: number = VALUE_LIMITS.maxNameBytes): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (utf8Over(name, maxBytes)) return `must be at most ${maxBytes} bytes in UTF-8`;
  if (NAME_FORBIDDEN.test(name)) return 'must not contain spaces, control or format characters';
  return undefined;
}

/**
 * Addresses already found valid. Every packet carries the same few dozen member addresses (a
 * push-pull part hundreds), and parsing them was 7% of a join burst's CPU; a hit costs one set
 * lookup. Only valid ones are kept, and the set is emptied when full, so a flood of distinct
 * addresses costs the full check, never memory.
 */
const validAddresses = new Set<string>();
const VALID_ADDRESSES_KEPT = 8192;

/**
 * Why `address` cannot be a member's address, or undefined. A member address is `host:port` as
 * agents advertise it: an IPv4 literal, a bracketed IPv6 literal or a DNS name, and a port 1–65535.
 */
export function addressProblem(address: unknown): string | undefined {
  if (typeof address === 'string' && validAddresses.has(address)) return undefined;
  const why = checkAddress(address);
  if (why === undefined) {
    if (validAddresses.size >= VALID_ADDRESSES_KEPT) validAddresses.clear();
    validAddresses.add(address as string);
  }
  return why;
}

function checkAddress(address: unknown): string | undefined {
  if (typeof address !== 'string') return 'must be a string';
  if (address.length === 0) return 'must not be empty';
  if (address.length > VALUE_LIMITS.maxAddressBytes) return `must be at most ${VALUE_LIMITS.maxAddressBytes} bytes`;
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return 'must be host:port';
  const portText = address.slice(colon + 1);
  if (!PORT.test(portText) || Number(portText) > 65535) return 'the port must be 1..65535';
  const host = address.slice(0, colon);
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || isIP(host.slice(1, -1)) !== 6) return 'the bracketed host must be an IPv6 address';
    return undefined;
  }
  if (isIP(host) === 4) return undefined;
  if (host.includes(':')) return 'an IPv6 host must be written in brackets';
  if (host.length > 253 || !HOST_NAME.test(host)) return 'the host must be an IP address or a DNS name';
  return undefined;
}

/** Why `key` cannot be a tag key, or undefined. */
export function tagKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key.length === 0) return 'must not be empty';
  if (utf8Over(key, VALUE_LIMITS.maxTagKeyBytes)) return `must be at most ${VALUE_LIMITS.maxTagKeyBytes} bytes in UTF-8`;
  if (NAME_FORBIDDEN.test(key)) return 'must not contain spaces, control or format characters';
  return undefined;
}

/** Why `value` cannot be a tag value, or undefined. Empty values are allowed. */
export function tagValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (utf8Over(value, VALUE_LIMITS.maxTagValueBytes)) return `must be at most ${VALUE_LIMITS.maxTagValueBytes} bytes in UTF-8`;
  if (VALUE_FORBIDDEN.test(value)) return 'must not contain control characters or direction overrides';
  return undefined;
}

/**
 * Why a flat wire tag list ([k1, v1, k2, v2, ...]) is refused, or undefined. Keys must be
 * strictly increasing: that is how every agent writes them, and it rules out duplicates.
 */
export function wireTagsProblem(flat: unknown, maxItems: number): string | undefined {
  if (!Array.isArray(flat)) return 'tags must be a list';
  if (flat.length % 2 !== 0) return 'tags must be key, value pairs';
  if (flat.length > maxItems) return `at most ${maxItems / 2} tags`;
  let previous: string | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    const key: unknown = flat[i];
    const keyWhy = tagKeyProblem(key);
    if (keyWhy) return `tag key ${keyWhy}`;
    const valueWhy = tagValueProblem(flat[i + 1]);
    if (valueWhy) return `tag ${JSON.stringify(key)} ${valueWhy}`;
    if (previous !== undefined && !(previous < (key as string))) return 'tag keys must be sorted and unique';
    previous = key as string;
  }
  return undefined;
}
