/**
 * The package as a user gets it: `npm pack`, then installed from the tarball into fresh projects
 * that have neither tsx nor TypeScript.
 * - Plain JavaScript imports `phantom-cluster` and `phantom-cluster/sim`, runs a 5-agent
 *   simulation to convergence, and starts 3 real Clusters on loopback that agree on lookups.
 * - A strict TypeScript project (moduleResolution nodenext) type-checks code using the public API
 *   against the shipped .d.ts files (with this repository's compiler: the project has none).
 * - `npx phantom --version` runs the installed command.
 * Dependencies come from npm's cache (`--prefer-offline`): `npm ci` has just filled it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { assertBuilt, ROOT } from '../../harness/procs.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work = '';
let consumer = '';

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  const what = `${cmd} ${args.join(' ')} (in ${cwd})`;
  assert.ok(!r.error, `${what}: ${r.error?.message}`);
  assert.equal(r.status, 0, `${what} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

before(() => {
  assertBuilt();
  work = mkdtempSync(join(tmpdir(), 'phantom-consumer-'));
  // The build is fresh (assertBuilt); packing again would rebuild dist/ under other tests' feet.
  run(NPM, ['pack', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], ROOT, 60_000);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  consumer = join(work, 'js');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, tarball)], consumer, 120_000);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the build, docs and licence, not sources, tests or benchmarks', () => {
  const pkg = join(consumer, 'node_modules/phantom-cluster');
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/sim/index.js',
    'dist/sim/index.d.ts',
    'dist/bin/phantom.js',
    'dist/bin/dashboard.html',
    'dist/admin/dashboard/dashboard.js',
    'README.md',
    'LICENSE',
    'docs/ARCHITECTURE.md',
    'deploy/phantom.service',
  ]) {
    assert.ok(existsSync(join(pkg, f)), `${f} is shipped`);
  }
  for (const f of ['src', 'test', 'bench', 'scripts', 'tsconfig.json']) assert.ok(!existsSync(join(pkg, f)), `${f} is not shipped`);
  for (const dev of ['tsx', 'typescript', 'esbuild']) assert.ok(!existsSync(join(consumer, 'node_modules', dev)), `${dev} was not installed`);
});

test('plain JavaScript: a simulation converges and 3 real Clusters agree on lookups', { timeout: 60_000 }, () => {
  writeFileSync(
    join(consumer, 'use.mjs'),
    `
import { Cluster, ClusterError, ERROR_CODES } from 'phantom-cluster';
import { Simulation } from 'phantom-cluster/sim';

const sim = new Simulation({ nodes: 5, seed: 7 });
sim.joinAll();
const converged = sim.runUntilConverged(30_000);
if (converged === null) throw new Error('the simulation did not converge');

const agent = (name) => ({ name, bind: '127.0.0.1:0', profile: 'local', logLevel: 'warn', admin: null });
const first = await Cluster.start({ agent: agent('c0') });
const seed = first.members().find((m) => m.name === 'c0').address;
const others = await Promise.all(['c1', 'c2'].map((n) => Cluster.start({ agent: agent(n), join: [seed] })));
const all = [first, ...others];
const deadline = Date.now() + 20_000;
while (!all.every((c) => c.activeSize === 3)) {
  if (Date.now() > deadline) throw new Error('sizes ' + all.map((c) => c.activeSize));
  await new Promise((r) => setTimeout(r, 50));
}
const keys = Array.from({ length: 50 }, (_, i) => 'user:' + i);
const views = all.map((c) => keys.map((k) => c.lookup(k, 2).join(',')).join(' '));
await Promise.all(all.map((c) => c.shutdown()));
console.log(JSON.stringify({ converged, agree: views.every((v) => v === views[0]), owners: new Set(views[0].split(/[ ,]/)).size, isError: new ClusterError('ERR_CONFIG', 'x') instanceof Error, codes: ERROR_CODES.length }));
`,
  );
  const r = run(process.execPath, ['use.mjs'], consumer, 50_000);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { converged: number; agree: boolean; owners: number; isError: boolean; codes: number };
  assert.ok(out.converged > 0);
  assert.equal(out.agree, true, 'every Cluster names the same owners');
  assert.equal(out.owners, 3, 'the keys spread over all three members');
  assert.equal(out.isError, true);
  assert.ok(out.codes > 0);
});

test('TypeScript (strict, nodenext) type-checks the public API against the shipped .d.ts', { timeout: 60_000 }, () => {
  const dir = join(consumer, 'ts');
  mkdirSync(dir, { recursive: true });
  // @types/node as a consumer would have it; the project itself installs nothing.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      include: ['use.ts'],
    }),
  );
  writeFileSync(
    join(dir, 'use.ts'),
    `
import { Cluster, ClusterError, HashRing, createBalancer, resolveConfig, type ErrorCode, type Member, type MemberEvent, type ProtocolConfig } from 'phantom-cluster';
import { Simulation, runScenario, type Report, type ScenarioSpec } from 'phantom-cluster/sim';

export async function node(): Promise<string[]> {
  const cluster: Cluster = await Cluster.start({ agent: { name: 'db-1', bind: '127.0.0.1:0', tags: { zone: 'eu-1' } }, join: [], balancer: { algorithm: 'p2c' } });
  cluster.on('failed', (e: MemberEvent) => void e.member.name);
  const members: Member[] = cluster.members();
  const lease = cluster.balancer.pickOrThrow('user:42');
  lease.done({ ok: true, latencyMs: 1 });
  await cluster.leave();
  return [...cluster.lookup('user:42', 3), ...members.map((m) => m.address)];
}

export function codes(e: unknown): ErrorCode | undefined {
  const c: ErrorCode = 'ERR_CONFIG';
  // @ts-expect-error -- the list of codes is closed
  const bad: ErrorCode = 'ERR_NOT_A_CODE';
  void bad;
  return e instanceof ClusterError ? e.code : c;
}

export function sim(): Report {
  const config: ProtocolConfig = resolveConfig({ suspicionMult: 5 }, 'lan');
  const s = new Simulation({ nodes: 5, seed: 1, config });
  s.joinAll();
  s.runUntilConverged(30_000);
  const spec: ScenarioSpec = { nodes: 3, steps: [{ do: 'joinAll' }, { expect: 'converged', within: '20s' }] };
  runScenario(spec);
  const ring = new HashRing();
  void createBalancer;
  void ring;
  return s.report();
}
`,
  );
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, `tsc found errors:\n${r.stdout}\n${r.stderr}`);
});

test('npx phantom --version runs the installed command', { timeout: 30_000 }, () => {
  const r = run(NPM, ['exec', '--no', '--', 'phantom', '--version'], consumer, 25_000);
  assert.match(r.stdout, /^phantom-cluster v0\.1\.0\ngossip protocol: 1 /);
});
