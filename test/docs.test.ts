/**
 * Every relative link in the README and the docs points at a file of this repository (the
 * package ships README and docs/: a link out of the repository is a dead link for every user).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pages = [
  'README.md',
  ...['docs', 'bench'].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `${d}/${f}`),
  ),
];

test('relative links in README, docs/ and bench/ lead to files inside the repository', () => {
  const bad: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/i.test(target)) continue;
      const path = resolve(dirname(join(ROOT, page)), target);
      if (relative(ROOT, path).startsWith('..') || !existsSync(path)) bad.push(`${page}: ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(pages.includes('docs/ARCHITECTURE.md'));
});
