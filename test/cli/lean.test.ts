/**
 * What each command loads. The agent loads the agent: not yargs, not the simulator, not the
 * charts, not prom-client until /metrics is asked for. The commands that talk to an agent load
 * an HTTP client: not the agent either. Found by recording every module the real process loads,
 * and for the bundled CLI's chunks, the source files each one was built from (its source map).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBuilt, PHANTOM_BIN, ROOT } from '../../harness/procs.js';

assertBuilt();

const RECORDER = fileURLToPath(new URL('./record-loads.mjs', import.meta.url));

/** Source files (relative to the repository) and packages behind the modules in `file`. */
function loaded(file: string): { sources: Set<string>; packages: Set<string> } {
  const sources = new Set<string>();
  const packages = new Set<string>();
  for (const url of readFileSync(file, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))) {
    const path = fileURLToPath(url);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (pkg) packages.add(pkg[1]!);
    else if (existsSync(`${path}.map`)) {
      const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] };
      for (const s of map.sources) sources.add(join(path, '..', s).slice(ROOT.length));
    }
  }
  return { sources, packages };
}

function recordFile(): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-loads-'));
  return { file: join(dir, 'loads.txt'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('phantom agent loads the agent only: no yargs, no simulator, no charts', { timeout: 30_000 }, async () => {
  const rec = recordFile();
  const child = spawn(
    process.execPath,
    ['--import', RECORDER, PHANTOM_BIN, 'agent', '--name', 'lean', '--bind', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-level', 'info'],
    {
      env: { ...process.env, RECORD_LOADS: rec.file },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`agent not up within 20 s: ${out}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"admin API listening"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`agent exited ${code}: ${out}`)));
    });
  } finally {
    child.kill('SIGKILL');
  }
  const { sources, packages } = loaded(rec.file);
  rec.done();
  assert.ok(sources.has('src/agent/agent.ts') && sources.has('src/admin/server.ts'), 'the recorder saw the agent itself');
  assert.deepEqual(
    [...sources].filter((s) => s.startsWith('src/sim/') || s === 'src/cli/yargs-cli.ts'),
    [],
  );
  assert.ok(!packages.has('yargs'), `packages: ${[...packages].join(', ')}`);
  // prom-client is loaded at the first /metrics scrape (~50 ms and ~3.5 MiB of a start otherwise).
  assert.ok(!packages.has('prom-client'), `packages: ${[...packages].join(', ')}`);
});

test('phantom members loads a client: no agent, no simulator, no yargs', { timeout: 30_000 }, () => {
  const rec = recordFile();
  const r = spawnSync(process.execPath, ['--import', RECORDER, PHANTOM_BIN, 'members', '--admin', '127.0.0.1:1'], {
    env: { ...process.env, RECORD_LOADS: rec.file },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 1, r.stderr); // nothing listens there
  const { sources, packages } = loaded(rec.file);
  rec.done();
  assert.ok(sources.has('src/cli/commands/members.ts'), 'the recorder saw the command itself');
  // src/agent/private-file.ts is how the admin token is read (src/admin/token.ts); the rest of src/agent is the agent.
  const agentParts = (s: string): boolean => /^src\/(sim|core|wire|ring|embed)\//.test(s) || (s.startsWith('src/agent/') && s !== 'src/agent/private-file.ts');
  assert.deepEqual(
    [...sources].filter((s) => agentParts(s) || s === 'src/cli/yargs-cli.ts'),
    [],
  );
  assert.deepEqual([...packages], []);
});

test('--help is where yargs is loaded', { timeout: 30_000 }, () => {
  const rec = recordFile();
  const r = spawnSync(process.execPath, ['--import', RECORDER, PHANTOM_BIN, '--help'], {
    env: { ...process.env, RECORD_LOADS: rec.file },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /phantom agent/);
  const { sources, packages } = loaded(rec.file);
  rec.done();
  assert.ok(packages.has('yargs') && sources.has('src/cli/yargs-cli.ts'));
  assert.deepEqual(
    [...sources].filter((s) => /^src\/(agent|sim)\//.test(s)),
    [],
  );
});
