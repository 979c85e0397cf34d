/** `phantom agent` settings: flags > PHANTOM_* env > config file > defaults, tags merged per key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAgentConfig } from '../../src/agent/agent-config.js';
import { mergeAgentSettings, splitList } from '../../src/cli/agent-settings.js';

test('precedence: flags win over env, env over file, file over defaults', () => {
  const file = {
    name: 'f',
    bind: '127.0.0.1:1',
    profile: 'wan',
    logLevel: 'debug',
    tags: { zone: 'file', rack: 'r1' },
    protocol: { suspicionMult: 7 },
    join: ['10.0.0.1:1'],
  };
  const env = { PHANTOM_BIND: '127.0.0.1:2', PHANTOM_TAG: 'zone=env,role=x', PHANTOM_JOIN: '10.0.0.2:1,10.0.0.3:1' };
  const c = resolveAgentConfig(mergeAgentSettings({ bind: '127.0.0.1:3', tag: ['role=flag'], set: ['suspicionMult=9'] }, env, file));
  assert.equal(c.name, 'f');
  assert.equal(c.bind, '127.0.0.1:3');
  assert.equal(c.profile, 'wan');
  assert.equal(c.logLevel, 'debug');
  assert.deepEqual(c.tags, { zone: 'env', rack: 'r1', role: 'flag' });
  assert.equal(c.protocol.suspicionMult, 9);
  assert.deepEqual(c.join, ['10.0.0.2:1', '10.0.0.3:1']);
  const d = resolveAgentConfig(mergeAgentSettings({ admin: 'off' }, {}, {}));
  assert.equal(d.bind, '0.0.0.0:7946');
  assert.equal(d.admin, null);
  assert.equal(d.profile, 'lan');
});

test('--join is repeatable and takes comma lists', () => {
  assert.deepEqual(splitList(['a:1', 'b:2, c:3', '']), ['a:1', 'b:2', 'c:3']);
});

test('bad settings name their field', () => {
  assert.throws(() => resolveAgentConfig(mergeAgentSettings({ tag: ['novalue'] }, {}, {})), /--tag "novalue": expected key=value/);
  assert.throws(() => resolveAgentConfig({ protocol: { probeTimeoutMs: 5000 } }), /probeTimeoutMs \(5000\): must be less than probeIntervalMs/);
  assert.throws(() => resolveAgentConfig({ nmae: 'x' } as never), /nmae: unknown field/);
});
