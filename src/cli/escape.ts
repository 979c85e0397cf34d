/**
 * Text from the cluster (member names, addresses, tags, key-operation errors) on its way to the
 * operator's terminal. The wire refuses control characters, but a snapshot, an older agent or a
 * future bug may not: escape sequences must never reach the terminal raw, whatever the source.
 */

/** Control, format (bidi overrides, zero-width) and unpaired surrogate characters, and line separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;
/** What JSON.stringify leaves raw that a terminal may still act on (it escapes only U+0000–U+001F). */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

const codePoint = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One value for a table cell or a line: every unprintable character as `\uXXXX`. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, codePoint);
}

/** JSON.stringify whose output is also safe to print: still valid JSON, with the same value. */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, codePoint);
}
