/**
 * Who checks a suspect (confirmers.ts): the k live members ranked lowest by a hash of
 * (subject, incarnation, member), the subject excluded. Checked against a direct restatement of
 * that rule (sort and take k) over many member sets and subjects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkerRank } from '../../src/core/confirmers.js';
import { fnv1a32 } from '../../src/core/hash.js';

/** The rule written the slow way: sort everyone but the subject by (hash, name), take the first k. */
function checkersBySort(subject: string, incarnation: number, members: readonly string[], k: number): string[] {
  const seed = fnv1a32(`${subject}#${incarnation}#`);
  return members
    .filter((m) => m !== subject)
    .map((m) => ({ m, h: fnv1a32(m, seed) }))
    .sort((x, y) => x.h - y.h || (x.m < y.m ? -1 : x.m > y.m ? 1 : 0))
    .slice(0, k)
    .map((x) => x.m);
}

test('every member computes its own rank, and together they are the k lowest by hash, in order', () => {
  for (const n of [1, 2, 3, 5, 12, 40]) {
    const members = Array.from({ length: n }, (_, i) => `node-${i}`);
    for (const k of [1, 3, 5]) {
      for (let s = 0; s < 6; s++) {
        const subject = members[s % n]!;
        for (const inc of [0, 1, 7]) {
          const expected = checkersBySort(subject, inc, members, k);
          const ranked: string[] = [];
          for (const m of members) {
            const r = checkerRank(m, subject, inc, members, k);
            if (r >= 0) ranked[r] = m;
          }
          assert.deepEqual(ranked, expected, `n=${n} k=${k} subject=${subject} inc=${inc}`);
        }
      }
    }
  }
});

test('the subject never checks itself, k = 0 names nobody, and a new incarnation names a new set', () => {
  const members = Array.from({ length: 30 }, (_, i) => `m${i}`);
  assert.equal(checkerRank('m3', 'm3', 0, members, 3), -1);
  for (const m of members) assert.equal(checkerRank(m, 'm3', 0, members, 0), -1);
  const sets = new Set<string>();
  for (let inc = 0; inc < 10; inc++) sets.add(checkersBySort('m3', inc, members, 3).join(','));
  assert.ok(sets.size >= 8, `the checking moves around with the incarnation (${sets.size} distinct sets of 10)`);
});
