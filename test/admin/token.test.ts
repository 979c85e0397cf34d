/**
 * The admin token: made by the agent (kept in the data dir, else fresh), published 0600 for
 * the commands on this host, and found by them in the documented order, never sent to a
 * non-loopback admin address from a file.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentAdminToken, dataDirTokenPath, findAdminToken, publishedTokenPath, publishToken, runtimeDir, unpublishToken } from '../../src/admin/token.js';
import { ClusterError } from '../../src/errors.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'phantom-token-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const posix = process.platform !== 'win32';
const mode = (p: string): number => statSync(p).mode & 0o777;

test('the agent token: configured wins; a data dir keeps one across restarts (0600); else fresh each run', () => {
  assert.deepEqual(agentAdminToken('configured-token-123456', tmp()), { token: 'configured-token-123456', source: 'configured', file: undefined });
  const a = agentAdminToken(undefined, undefined);
  const b = agentAdminToken(undefined, undefined);
  assert.equal(a.source, 'generated');
  assert.notEqual(a.token, b.token);
  assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
  const dataDir = join(tmp(), 'new');
  const first = agentAdminToken(undefined, dataDir);
  assert.equal(first.file, dataDirTokenPath(dataDir));
  assert.equal(agentAdminToken(undefined, dataDir).token, first.token, 'the same token after a restart');
  if (posix) assert.equal(mode(first.file!), 0o600);
  writeFileSync(first.file!, 'short\n');
  assert.throws(
    () => agentAdminToken(undefined, dataDir),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_CONFIG' && /not a usable token/.test(e.message) && !e.message.includes('short\n'),
  );
});

test('publish: 0600 in a 0700 runtime dir, keyed by port; refused in a dir others can write; removed only if still ours', {
  skip: !posix && 'modes are POSIX',
}, () => {
  const env = { PHANTOM_RUNTIME_DIR: join(tmp(), 'run') };
  const path = publishToken(7001, 'published-token-0123456789', env);
  assert.equal(path, publishedTokenPath(7001, env));
  assert.equal(mode(path), 0o600);
  assert.equal(mode(runtimeDir(env)), 0o700);
  unpublishToken(path, 'another-agents-token-0123');
  assert.ok(existsSync(path), 'not removed: it holds another token');
  unpublishToken(path, 'published-token-0123456789');
  assert.ok(!existsSync(path));
  const open = join(tmp(), 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  assert.throws(() => publishToken(7001, 'published-token-0123456789', { PHANTOM_RUNTIME_DIR: open }), /writable by others/);
  assert.equal(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/7' }), join('/run/user/7', 'phantom'));
});

test('commands find the token: --token, env, --token-file, then (loopback only) the published file and the data dir', () => {
  const run = join(tmp(), 'run');
  const data = tmp();
  const env: NodeJS.ProcessEnv = { PHANTOM_RUNTIME_DIR: run };
  assert.equal(findAdminToken('127.0.0.1:7947', {}, env), undefined);
  writeFileSync(dataDirTokenPath(data), 'data-dir-token-0123456789\n');
  assert.equal(findAdminToken('127.0.0.1:7947', {}, { ...env, PHANTOM_DATA_DIR: data }), 'data-dir-token-0123456789');
  publishToken(7947, 'published-token-0123456789', env);
  assert.equal(findAdminToken('127.0.0.1:7947', {}, { ...env, PHANTOM_DATA_DIR: data }), 'published-token-0123456789', 'the live agent on that port first');
  assert.equal(findAdminToken('localhost:7947', {}, env), 'published-token-0123456789');
  assert.equal(findAdminToken('127.0.0.1:7948', {}, env), undefined, 'another port, another agent');
  assert.equal(findAdminToken('10.0.0.5:7947', {}, { ...env, PHANTOM_DATA_DIR: data }), undefined, 'a token found on this host never goes to another');
  const file = join(data, 'given');
  writeFileSync(file, ' file-token-0123456789 \n');
  assert.equal(findAdminToken('10.0.0.5:7947', { tokenFile: file }, env), 'file-token-0123456789');
  assert.equal(findAdminToken('127.0.0.1:7947', {}, { ...env, PHANTOM_ADMIN_TOKEN_FILE: file }), 'file-token-0123456789');
  assert.equal(findAdminToken('127.0.0.1:7947', { tokenFile: file }, { ...env, PHANTOM_ADMIN_TOKEN: 'env-token-0123456789' }), 'env-token-0123456789');
  assert.equal(
    findAdminToken('127.0.0.1:7947', { token: 'flag-token-0123456789' }, { ...env, PHANTOM_ADMIN_TOKEN: 'env-token-0123456789' }),
    'flag-token-0123456789',
  );
  assert.throws(() => findAdminToken('127.0.0.1:7947', { tokenFile: join(data, 'missing') }, env), /does not exist/);
  assert.equal(readFileSync(publishedTokenPath(7947, env), 'utf8'), 'published-token-0123456789\n');
});
