/**
 * deploy/phantom.service: what it must say for one agent per host, checked against the code
 * (the stop timeout against every profile's leave timeout), and by `systemd-analyze verify`
 * where that exists (.ci/run installs it; without it the check skips and says why).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profiles } from '../../src/config.js';

const UNIT = fileURLToPath(new URL('../../deploy/phantom.service', import.meta.url));

/** Section -> key -> values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out.set(section, new Map());
      continue;
    }
    const i = line.indexOf('=');
    const keys = out.get(section)!;
    const k = line.slice(0, i);
    keys.set(k, [...(keys.get(k) ?? []), line.slice(i + 1)]);
  }
  return out;
}

const seconds = (v: string): number => {
  const m = /^(\d+)(s|min)?$/.exec(v);
  assert.ok(m, `a duration systemd reads: ${v}`);
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1);
};

test('the unit runs one unprivileged agent with a state directory, restarts on failure, and leaves on SIGTERM in time', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const svc = unit.get('Service')!;
  const one = (k: string): string => {
    const v = svc.get(k);
    assert.ok(v && v.length === 1, `[Service] ${k} set once`);
    return v[0]!;
  };
  assert.match(one('ExecStart'), /\bphantom agent\b.*--data-dir \$\{STATE_DIRECTORY\}/);
  assert.ok(one('StateDirectory').length > 0);
  assert.ok(svc.get('DynamicUser')?.[0] === 'yes' || (svc.get('User')?.[0] ?? 'root') !== 'root', 'not root');
  assert.equal(one('Restart'), 'on-failure');
  assert.equal(one('KillSignal'), 'SIGTERM');
  const longestLeave = Math.max(...Object.values(profiles).map((p) => p.leaveTimeoutMs)) / 1000;
  assert.ok(seconds(one('TimeoutStopSec')) >= 2 * longestLeave, `TimeoutStopSec ${one('TimeoutStopSec')} leaves room for a ${longestLeave} s leave`);
  assert.equal(unit.get('Install')?.get('WantedBy')?.[0], 'multi-user.target');
});

test('systemd-analyze verify accepts the unit', (t) => {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error) return t.skip('systemd-analyze not installed (Debian: apt-get install systemd; .ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'phantom-unit-'));
  try {
    copyFileSync(UNIT, join(dir, 'phantom.service'));
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'phantom.service')], { encoding: 'utf8', timeout: 30_000 });
    // Warnings about our unit come on stderr with exit 0 (e.g. an unknown Restart= value): they count too.
    const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('phantom.service'));
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.deepEqual(ours, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
