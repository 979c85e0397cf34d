/** The README lists every error code, and only those: the same set as the closed `ErrorCode`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, isErrorCode } from '../src/errors.js';

test("the README's error table lists exactly the codes of ErrorCode", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Errors');
  assert.ok(start >= 0, 'README has an Errors section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const rows = [...section.matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...rows].sort(), [...ERROR_CODES].sort());
  assert.equal(new Set(rows).size, rows.length, 'a code listed twice');
});

test('isErrorCode accepts the listed codes only', () => {
  for (const c of ERROR_CODES) assert.ok(isErrorCode(c));
  for (const c of ['ERR_NOPE', '', 'err_config', 42, undefined]) assert.ok(!isErrorCode(c));
});
