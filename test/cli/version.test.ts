/** `phantom version` and `phantom --version`: the package version and the protocol versions it speaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../../src/core/messages.js';
import { phantom, ROOT } from '../../harness/procs.js';

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string; version: string };

test('phantom version --json names the package version and the gossip protocol versions', { timeout: 30_000 }, () => {
  const r = phantom(['version', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { name: string; version: string; protocol: number; protocolRange: [number, number]; sealVersion: number };
  assert.equal(v.name, pkg.name);
  assert.equal(v.version, pkg.version);
  assert.equal(v.protocol, PROTOCOL_VERSION);
  assert.deepEqual(v.protocolRange, [PROTOCOL_VERSION, PROTOCOL_VERSION]);
  assert.equal(v.sealVersion, 0xe5);
});

test('phantom --version prints the same as phantom version', { timeout: 30_000 }, () => {
  const a = phantom(['--version']);
  const b = phantom(['version']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, new RegExp(`^${pkg.name} v${pkg.version.replace(/\./g, '\\.')}\ngossip protocol: ${PROTOCOL_VERSION} `));
});
