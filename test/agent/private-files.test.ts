/**
 * The files an agent keeps (keyring, snapshot): created with the data dir on the first start,
 * private (0700 dir, 0600 files), written through unpredictable O_EXCL temp files that never
 * follow a planted symlink, the directory fsynced after the rename; read back with every field
 * checked, and no key text in any error.
 */
import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { createAgent } from '../../src/agent/agent.js';
import { resolveAgentConfig } from '../../src/agent/agent-config.js';
import { setupSecurity } from '../../src/agent/agent-security.js';
import { readKeyringFile, writeKeyringFile } from '../../src/agent/keyring-file.js';
import { writePrivateFileAtomic } from '../../src/agent/private-file.js';
import { readSnapshot, writeSnapshot } from '../../src/agent/snapshot.js';
import { ClusterError } from '../../src/errors.js';
import { generateKey } from '../../src/wire/keyring.js';
import { testConfig } from './helpers.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'phantom-files-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string): number => statSync(p).mode & 0o777;
const posix = process.platform !== 'win32';

test('--encrypt K --data-dir NEW: the first start creates the data dir (0700), keyring and snapshot 0600', { timeout: 10_000 }, async () => {
  const dataDir = join(tmp(), 'var', 'lib', 'phantom');
  const key = generateKey();
  const agent = await createAgent(testConfig('first', { encrypt: key, dataDir }));
  try {
    assert.deepEqual(readKeyringFile(join(dataDir, 'keyring.json')), [key]);
    assert.ok(existsSync(join(dataDir, 'snapshot.json')), 'the start-up snapshot is written');
    if (posix) {
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, 'keyring.json')), 0o600);
      assert.equal(mode(join(dataDir, 'snapshot.json')), 0o600);
    }
    assert.deepEqual(readdirSync(dataDir).sort(), ['keyring.json', 'snapshot.json'], 'no temp file left');
  } finally {
    await agent.shutdown();
  }
});

test('a symlink planted at the old temp names is never written through', { skip: !posix && 'symlinks need privileges on Windows' }, () => {
  const d = tmp();
  const victim = join(d, 'victim');
  writeFileSync(victim, 'untouched');
  const keyring = join(d, 'keyring.json');
  // The names the writers used before: path.tmp-PID and snapshot.json.PID.tmp.
  symlinkSync(victim, `${keyring}.tmp-${process.pid}`);
  symlinkSync(victim, join(d, `snapshot.json.${process.pid}.tmp`));
  const key = generateKey();
  writeKeyringFile(keyring, { primary: key, keys: [key] });
  writeSnapshot(d, { version: 1, name: 'x', incarnation: 1, savedAt: '', members: [] });
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.deepEqual(readKeyringFile(keyring), [key]);
  assert.equal(readSnapshot(d)?.incarnation, 1);
  assert.equal(mode(keyring), 0o600);
});

test('temp names are unpredictable and created exclusively; the directory is fsynced after the rename', { skip: !posix && 'directory fsync is POSIX' }, () => {
  const d = tmp();
  const target = join(d, 'file.json');
  const opened: string[] = [];
  const synced: boolean[] = [];
  const realOpen = fs.openSync;
  const realFsync = fs.fsyncSync;
  const open = mock.method(fs, 'openSync', (p: fs.PathLike, flags?: fs.OpenMode, m?: fs.Mode) => {
    opened.push(String(p));
    return realOpen(p, flags ?? 'r', m);
  });
  const fsync = mock.method(fs, 'fsyncSync', (fd: number) => {
    synced.push(fs.fstatSync(fd).isDirectory());
    realFsync(fd);
  });
  syncBuiltinESMExports();
  try {
    writePrivateFileAtomic(target, 'one');
    writePrivateFileAtomic(target, 'two');
  } finally {
    open.mock.restore();
    fsync.mock.restore();
    syncBuiltinESMExports();
  }
  const temps = opened.filter((p) => p !== d && p !== target);
  assert.equal(temps.length, 2);
  assert.notEqual(temps[0], temps[1], 'a fresh random name each time');
  for (const t of temps) assert.match(t, /\.file\.json\.[0-9a-f]{16}\.tmp$/);
  // Per write: the file, then its directory.
  assert.deepEqual(synced, [false, true, false, true]);
  assert.equal(readFileSync(target, 'utf8'), 'two');
  assert.deepEqual(readdirSync(d), ['file.json']);
});

test('a snapshot read back checks incarnation, state, address and name', () => {
  const d = tmp();
  const write = (o: unknown): void => writeFileSync(join(d, 'snapshot.json'), JSON.stringify(o));
  const good = { name: 'ok', address: '127.0.0.1:7946', state: 'alive', incarnation: 2, tags: { zone: 'a' } };
  for (const incarnation of [-1, 1.5, '3', 2 ** 53, null]) {
    write({ version: 1, name: 'me', incarnation, members: [] });
    assert.throws(
      () => readSnapshot(d),
      (e: unknown) => e instanceof ClusterError && e.code === 'ERR_SNAPSHOT' && /incarnation/.test(e.message),
      `incarnation ${String(incarnation)}`,
    );
  }
  write({ version: 1, name: 'bad\u0000name', incarnation: 1, members: [] });
  assert.throws(() => readSnapshot(d), /name must not contain/);
  const bad = [
    { ...good, state: 'zombie' },
    { ...good, state: 'dead', address: '127.0.0.\u0000:26860' },
    { ...good, address: '1.2.3.4:0' },
    { ...good, address: '1.2.3.4:70000' },
    { ...good, address: 'no port' },
    { ...good, name: '\u0000' },
    { ...good, name: '\u001b[31mred' },
    { ...good, name: 'é'.repeat(200) }, // 400 bytes, 200 characters
    { ...good, name: '' },
    { ...good, incarnation: -1 },
    { ...good, incarnation: 0.5 },
    { ...good, tags: { '': 'x' } },
    { ...good, tags: { k: 1 } },
    'not a member',
    null,
  ];
  write({ version: 1, name: 'me', incarnation: 4, savedAt: 'then', members: [good, ...bad, { ...good, name: 'left-one', state: 'left', tags: undefined }] });
  const s = readSnapshot(d)!;
  assert.equal(s.incarnation, 4);
  assert.deepEqual(
    s.members.map((m) => m.name),
    ['ok', 'left-one'],
  );
  assert.deepEqual(s.members[1]!.tags, {});
  assert.equal(s.skipped, bad.length);
});

test('a bad key is named by its shape, never quoted, wherever it comes from', () => {
  const d = tmp();
  const secret = 'SECRETkeyMATERIALthatIsAlmostRight0123456789';
  const noSecret = (e: unknown): boolean => e instanceof Error && !e.message.includes('SECRET') && !e.message.includes('0123456789');
  // A key four characters short in a keyring file.
  const file = join(d, 'keyring.json');
  writeFileSync(file, JSON.stringify([secret.slice(0, 40)]));
  const config = resolveAgentConfig(testConfig('k', { keyringFile: file }));
  assert.throws(
    () => setupSecurity(config, () => undefined),
    (e: unknown) => noSecret(e) && /40 characters decoding to 30 bytes/.test((e as Error).message),
  );
  // A keyring file cut short: JSON.parse would quote the text around the fault.
  writeFileSync(file, `["${secret}`);
  assert.throws(
    () => readKeyringFile(file),
    (e: unknown) => noSecret(e) && /not valid JSON/.test((e as Error).message),
  );
  // --encrypt with a bad key.
  assert.throws(
    () => resolveAgentConfig({ encrypt: `${secret}!` }),
    (e: unknown) => noSecret(e) && /encrypt|a key is 32 bytes/.test((e as Error).message),
  );
});

test('an --keyring file in a new directory is written there (0700 dir)', { skip: !posix && 'modes are POSIX' }, () => {
  const dir = join(tmp(), 'etc', 'phantom');
  const key = generateKey();
  writeKeyringFile(join(dir, 'keyring.json'), { primary: key, keys: [key] });
  assert.equal(mode(dir), 0o700);
  assert.deepEqual(readKeyringFile(join(dir, 'keyring.json')), [key]);
});
