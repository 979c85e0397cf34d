/**
 * Tests and benchmarks share code only through harness/ (and src/): a test does not import a
 * benchmark, a benchmark does not import a test helper, and harness/ imports neither.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Top-level directories the relative imports of `file` reach. */
function reached(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(ROOT, resolve(dirname(join(ROOT, file)), m[1]!)).split('/')[0]!);
}

test('test/ does not import bench/, bench/ does not import test/, harness/ imports neither', () => {
  const forbidden: Record<string, readonly string[]> = { test: ['bench'], bench: ['test'], harness: ['test', 'bench'] };
  const bad: string[] = [];
  let checked = 0;
  for (const [dir, not] of Object.entries(forbidden)) {
    for (const file of sources(dir)) {
      checked++;
      for (const top of reached(file)) if (not.includes(top)) bad.push(`${file} imports from ${top}/`);
    }
  }
  assert.ok(checked > 100, `only ${checked} files found: the scan no longer sees the tree`);
  assert.deepEqual(bad, []);
});
