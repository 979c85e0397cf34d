/** Settings of encryption, labels, caps and the admin token: flags > env > file, every bad field named. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { resolveAgentConfig } from '../../src/agent/agent-config.js';
import { mergeAgentSettings } from '../../src/cli/agent-settings.js';
import { generateKey, parseKey } from '../../src/wire/keyring.js';

test('security settings: defaults, precedence and env booleans', () => {
  const d = resolveAgentConfig({});
  assert.deepEqual(
    [d.encrypt, d.keyringFile, d.clusterLabel, d.verifyIncoming, d.verifyOutgoing, d.maxMembers, d.adminToken],
    [undefined, undefined, '', true, true, 16_384, undefined],
  );
  const key = generateKey();
  const env = { PHANTOM_ENCRYPT: key, PHANTOM_CLUSTER_LABEL: 'env', PHANTOM_VERIFY_INCOMING: 'false', PHANTOM_MAX_MEMBERS: '100' };
  const c = resolveAgentConfig(mergeAgentSettings({ clusterLabel: 'flag', verifyOutgoing: false }, env, { clusterLabel: 'file', adminToken: 'x'.repeat(20) }));
  assert.equal(c.encrypt, key);
  assert.equal(c.clusterLabel, 'flag');
  assert.equal(c.verifyIncoming, false);
  assert.equal(c.verifyOutgoing, false);
  assert.equal(c.maxMembers, 100);
  assert.equal(c.adminToken, 'x'.repeat(20));
});

test('bad security settings are all named at once', () => {
  assert.throws(
    () => resolveAgentConfig({ encrypt: 'nope', clusterLabel: 'l'.repeat(300), verifyIncoming: 'maybe', maxMembers: 1, adminToken: 'short' }),
    (e: Error) =>
      /a key is 32 bytes/.test(e.message) &&
      /clusterLabel/.test(e.message) &&
      /verifyIncoming/.test(e.message) &&
      /maxMembers/.test(e.message) &&
      /adminToken/.test(e.message),
  );
});

test('phantom keygen prints a fresh 32-byte base64 key', () => {
  const run = (): string => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keygen'], { encoding: 'utf8', timeout: 30_000 }).stdout.trim();
  const a = run();
  assert.equal(parseKey(a).length, 32);
  assert.notEqual(a, run());
});
