/** The CLI as a user runs it: one real process, bounded in time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, PHANTOM_BIN } from '../../harness/procs.js';

assertBuilt();

const run = promisify(execFile);
const bin = PHANTOM_BIN;

test('phantom simulate --json prints one report object with the measures', { timeout: 60_000 }, async () => {
  const { stdout } = await run(process.execPath, [bin, 'simulate', '--nodes', '20', '--kill', '1', '--duration', '40s', '--seed', '3', '--json'], {
    timeout: 55_000,
  });
  const r = JSON.parse(stdout);
  for (const k of [
    'nodes',
    'seed',
    'joinConvergenceMs',
    'detection',
    'falsePositives',
    'msgsPerNodePerSec',
    'bytesPerNodePerSec',
    'agreement',
    'wallMs',
    'heapMB',
  ])
    assert.ok(k in r, k);
  assert.equal(r.nodes, 20);
  assert.equal(r.detection.length, 1);
  assert.ok(r.detection[0].allDeadMs > 0);
  assert.equal(r.agreement, true);
});

test('phantom simulate --scenario runs a file, and a bad flag or file gets a clear error', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-'));
  const file = join(dir, 's.json');
  writeFileSync(
    file,
    JSON.stringify({
      nodes: 8,
      seed: 2,
      steps: [
        { do: 'joinAll' },
        { expect: 'converged', within: '20s' },
        { do: 'leave', nodes: [3] },
        { do: 'run', for: '10s' },
        { expect: 'sees', subject: 3, state: 'left' },
      ],
    }),
  );
  const { stdout } = await run(process.execPath, [bin, 'simulate', '--scenario', file], { timeout: 55_000 });
  assert.match(stdout, /join convergence/);
  assert.doesNotMatch(stdout, /FAILED/);
  await assert.rejects(run(process.execPath, [bin, 'simulate', '--set', 'probeTimeoutMs=5000'], { timeout: 55_000 }), (e: { stderr: string; code: number }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /probeTimeoutMs \(5000\): must be less than probeIntervalMs/);
    return true;
  });
});
