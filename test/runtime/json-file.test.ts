/** The one JSON file reader (src/runtime/json-file.ts): its two failures name the file with the caller's code; secrets are not quoted. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ClusterError } from '../../src/errors.js';
import { readJsonFile } from '../../src/runtime/json-file.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('reads JSON; a missing file is undefined only when the caller allows it', () => {
  const file = join(dir, 'ok.json');
  writeFileSync(file, '{"a": [1, "x"]}');
  assert.deepEqual(readJsonFile(file, { code: 'ERR_CONFIG', label: 'x' }), { a: [1, 'x'] });
  const missing = join(dir, 'missing.json');
  assert.equal(readJsonFile(missing, { code: 'ERR_SNAPSHOT', label: missing, missingOk: true }), undefined);
  assert.throws(
    () => readJsonFile(missing, { code: 'ERR_CONFIG', label: `--config ${missing}` }),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_CONFIG' && e.message.startsWith(`--config ${missing}: cannot read it (ENOENT`),
  );
  assert.throws(
    () => readJsonFile(dir, { code: 'ERR_SNAPSHOT', label: dir, missingOk: true }),
    (e: unknown) => e instanceof ClusterError && /cannot read it \(EISDIR/.test(e.message),
    'only ENOENT counts as missing',
  );
});

test('not JSON: the parser says where, unless the file holds secrets; the hint says what to do', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, '["c2VjcmV0", oops]');
  assert.throws(
    () => readJsonFile(file, { code: 'ERR_ARGUMENT', label: `--scenario ${file}`, hint: 'fix it' }),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_ARGUMENT' && /^--scenario .*bad\.json: not valid JSON \(.+\); fix it$/.test(e.message),
  );
  assert.throws(
    () => readJsonFile(file, { code: 'ERR_CONFIG', label: `keyring ${file}`, secret: true }),
    (e: unknown) => e instanceof ClusterError && e.message === `keyring ${file}: not valid JSON` && !e.message.includes('oops'),
  );
});
