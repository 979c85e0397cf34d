/**
 * Multi-host on one machine: 4 network namespaces, each with a veth into a fifth namespace that
 * holds the bridge (so nothing is added to the host's own namespace), each agent bound to
 * 0.0.0.0 so it must auto-detect the address it advertises. The same join / kill / leave checks
 * as on loopback. Needs root and iproute2; otherwise skipped with the reason. The namespaces are
 * removed at the end even on failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { allSee, FAST_SET, phantom, RUNTIME_DIR, startAgent, stop, type AgentProc } from '../../harness/procs.js';

const tag = `phx${process.pid % 100_000}`;
const bridgeNs = `${tag}-br`;
const hostNs = [0, 1, 2, 3].map((i) => `${tag}-h${i}`);
const ipOf = (i: number): string => `10.250.${process.pid % 200}.${i + 1}`;
const created: string[] = [];
const procs: AgentProc[] = [];

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (`ip`) is not installed';
  return undefined;
}

function setUp(): void {
  ip('netns', 'add', bridgeNs);
  created.push(bridgeNs);
  ip('-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', bridgeNs, 'link', 'set', 'br0', 'up');
  hostNs.forEach((ns, i) => {
    ip('netns', 'add', ns);
    created.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `v${i}`, 'netns', bridgeNs);
    ip('-n', ns, 'addr', 'add', `${ipOf(i)}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', bridgeNs, 'link', 'set', `v${i}`, 'master', 'br0');
    ip('-n', bridgeNs, 'link', 'set', `v${i}`, 'up');
  });
}

after(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
});

const reason = whyNot();
if (reason) process.stdout.write(`# skipping the multi-host namespace test: ${reason}\n`);

test('4 agents in 4 network namespaces: join, crash, leave', { skip: reason ?? false, timeout: 90_000 }, async () => {
  setUp();
  // Each namespace is a host: its own runtime dir, where its agent publishes its admin token.
  const exec = (i: number): string[] => ['env', `PHANTOM_RUNTIME_DIR=${join(RUNTIME_DIR, hostNs[i]!)}`, 'ip', 'netns', 'exec', hostNs[i]!];
  const args = (join?: string): string[] => [
    '--bind',
    '0.0.0.0:7946',
    '--profile',
    'local',
    ...FAST_SET.flatMap((s) => ['--set', s]),
    ...(join ? ['--join', join] : []),
  ];
  procs.push(await startAgent('h0', args(), exec(0)));
  assert.equal(procs[0]!.address, `${ipOf(0)}:7946`, 'the advertised address was detected from the namespace interface');
  procs.push(...(await Promise.all([1, 2, 3].map((i) => startAgent(`h${i}`, args(`${ipOf(0)}:7946`), exec(i))))));
  const names = procs.map((p) => p.name);
  await allSee(procs, names, 'alive', 15_000);

  const r = phantom(['members', '--json'], exec(1));
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string; addr: string; status: string }[];
  assert.deepEqual(
    rows.map((m) => `${m.name}@${m.addr}:${m.status}`),
    names.map((n, i) => `${n}@${ipOf(i)}:7946:alive`),
  );

  await stop(procs[3]!, 'SIGKILL');
  await allSee(procs.slice(0, 3), ['h3'], 'failed', 10_000);
  assert.equal(await stop(procs[2]!, 'SIGTERM'), 0);
  await allSee(procs.slice(0, 2), ['h2'], 'left', 5000);
  for (const o of procs.slice(0, 2)) assert.ok(!o.lines.some((l) => l.member === 'h2' && l.status === 'failed'));
});
