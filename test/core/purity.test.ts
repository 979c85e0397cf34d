/** The core does no IO, reads no clock and draws no randomness of its own: check its sources. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../src/core/', import.meta.url).pathname;
const forbidden: [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node: import'],
  [/from\s+['"](?!\.)/, 'a package import'],
  [/\bDate\.now\b|\bnew Date\b/, 'the wall clock'],
  [/\bperformance\b/, 'performance.now'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\bset(Timeout|Interval|Immediate)\b/, 'a timer'],
  [/\bprocess\./, 'process'],
];

test('src/core imports nothing outside itself and touches no clock, timer or Math.random', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 5);
  for (const f of files) {
    // Comments may name what the code must not do.
    const text = readFileSync(join(dir, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const [re, what] of forbidden) assert.ok(!re.test(text), `src/core/${f} uses ${what}`);
  }
});
