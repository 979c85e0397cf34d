// npm run test:unit: the fast part of the suite, for the edit-test loop (36 s of CPU, 22 s wall on
// this 2-core machine at load 1.2; `npm test` stays the whole suite). It runs every test under the directories of the pure
// parts (core, wire, ring, balancer, runtime) and of harness/, the config and error tables, and the simulations that
// take about a second; it skips the slow files named below. A new test file in one of those
// directories is in the fast part by default: if it takes more than a second or two, add it to
// SLOW with the reason.
//
// No build and no type check first (npm test does both): the loop is edit, run, edit.
// Two files at a time: the runner's default on 2 cores is one, which leaves a core idle while
// each file pays its ~0.5 s of tsx start-up.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every test file under these directories, except SLOW. */
const DIRS = ['test/core', 'test/wire', 'test/ring', 'test/balancer', 'test/runtime', 'test/harness'];
/** Single files outside DIRS: small simulations (tens of agents, seconds of virtual time) and tables. */
const FILES = [
  'test/config.test.ts',
  'test/errors.test.ts',
  'test/sim/charts.test.ts',
  'test/sim/join-spread.test.ts',
  'test/sim/name-conflict.test.ts',
  'test/sim/stall-order.test.ts',
];
/** In DIRS but left to `npm test`, with why. */
const SLOW = new Map([['test/wire/mutation.test.ts', '200,000 mutated packets through a 5-agent simulation: ~40 s']]);

const files = [
  ...DIRS.flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `${dir}/${f}`),
  ).filter((f) => !SLOW.has(f)),
  ...FILES,
].sort();

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
