/**
 * `npm run fuzz`: hostile traffic against a live agent. Starts 5 encrypted, labelled agents on
 * loopback in this process, lets them converge, then a separate process sends the first one
 * `--packets` (default 1,000,000) garbage and mutated datagrams over UDP at about `--rate` per
 * second, and `--connections` (default 1,000) junk TCP connections to its admin API (the only TCP
 * listener an agent has: state transfer is UDP datagrams). Bounded: it stops by itself.
 *
 * Checks: the cluster stays converged (every agent lists every agent alive), no healthy member
 * is ever declared failed, and this process's heap after the attack is within 20% of before
 * (both measured after a full GC). Writes bench/results/fuzz-<time>.json and bench/FUZZ.md.
 *
 *   node --expose-gc --import tsx bench/fuzz.ts [--packets 1000000] [--rate 50000] [--connections 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAgent, type Agent } from '../src/agent/agent.js';
import { startAdminServer } from '../src/admin/server.js';
import { adminDepsFor } from '../src/cli/agent-admin.js';
import { parseHostPort } from '../src/transport/address.js';
import { generateKey } from '../src/wire/keyring.js';
import { writeFuzzSection } from './fuzz/fuzz-md.js';
import { numberOption } from '../harness/args.js';

const argv = process.argv.slice(2);
const packets = numberOption('packets', 1_000_000);
const rate = numberOption('rate', 50_000);
const connections = numberOption('connections', 1000);
const label = 'fuzz';
const key = generateKey();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = (): number => {
  gc?.();
  gc?.();
  return getHeapStatistics().used_heap_size / 1048576;
};

// The production default (lan): the question is whether garbage hurts a normally set cluster.
const profile = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1]! : 'lan';
const agents: Agent[] = [];
for (let i = 0; i < 5; i++)
  agents.push(await createAgent({ name: `f${i}`, bind: '127.0.0.1:0', profile, admin: null, logLevel: 'silent', encrypt: key, clusterLabel: label }));
const target = agents[0]!;
const admin = await startAdminServer(
  '127.0.0.1:0',
  adminDepsFor(target, async () => {}),
);
const failed: string[] = [];
let attackStart = 0;
for (const a of agents) a.on('failed', (e) => failed.push(`${a.name} saw ${e.member.name} failed at +${Math.round(performance.now() - attackStart)} ms`));
// Event-loop delay of the agents' process: a stall longer than the suspicion timeout explains a
// false failure by CPU starvation rather than by the garbage itself.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
for (const a of agents.slice(1)) await a.join([target.address]);
const converged = (): boolean => agents.every((a) => agents.every((b) => a.member(b.name)?.state === 'alive'));
for (let t = 0; t < 200 && !converged(); t++) await sleep(50);
if (!converged()) throw new Error('the cluster did not converge before the attack');
await sleep(2000);
const heapBefore = heapMiB();
loopDelay.enable();
attackStart = performance.now();
process.stderr.write(`fuzz: 5 agents converged; attacking ${target.name} with ${packets} datagrams at ~${rate}/s, then ${connections} TCP connections\n`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();

// The attacker runs as a child process: its own heap, so the heap figure is the agents' alone.
const job = {
  target: parseHostPort(target.address, 'target'),
  tcpTarget: parseHostPort(admin.address, 'admin'),
  packets,
  rate,
  connections,
  key,
  label,
  seed: 7,
};
const attacker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fuzz/attacker.ts', import.meta.url)), JSON.stringify(job)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let notConvergedSamples = 0;
let samples = 0;
const watch = setInterval(() => {
  samples++;
  if (!converged()) notConvergedSamples++;
}, 250);
let out = '';
attacker.stdout.on('data', (d: Buffer) => (out += d.toString()));
const code = await new Promise<number | null>((resolve) => attacker.once('exit', resolve));
if (code !== 0) throw new Error(`the attacker (pid ${attacker.pid}) exited with code ${code}`);
const counts = JSON.parse(out) as { sent: number; opened: number; refused: number };
const attackMs = performance.now() - t0;
loopDelay.disable();
process.stderr.write(`fuzz: attack over after ${Math.round(attackMs)} ms; settling\n`);
const cpu = process.cpuUsage(cpu0);
await sleep(5000); // let the cluster settle, and the heap give back what the attack took
clearInterval(watch);
const heapAfter = heapMiB();
const stats = target.stats();
const endConverged = converged();
await admin.close();
await Promise.all(agents.map((a) => a.shutdown()));

const heapRatio = heapAfter / heapBefore;
const result = {
  at: new Date().toISOString(),
  node: process.version,
  packetsSent: counts.sent,
  packetsReceivedByTarget: stats.packetsIn,
  drops: stats.counters.drops,
  tcpConnections: { opened: counts.opened, refused: counts.refused },
  attackSeconds: Math.round(attackMs / 100) / 10,
  agentCpuSecondsDuringAttack: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  convergedAtEnd: endConverged,
  notConvergedSamplesDuringAttack: `${notConvergedSamples}/${samples}`,
  healthyMembersDeclaredFailed: failed,
  profile,
  eventLoopDelayMs: { p50: Math.round(loopDelay.percentile(50) / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
  hostLoadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  cpus: cpus().length,
  heapMiB: { before: Math.round(heapBefore * 10) / 10, after: Math.round(heapAfter * 10) / 10, ratio: Math.round(heapRatio * 1000) / 1000 },
  gcExposed: gc !== undefined,
};
const pass = endConverged && failed.length === 0 && heapRatio <= 1.2;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/fuzz-${Date.now()}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
const md = `# npm run fuzz: measured

Command: \`npm run fuzz\` (\`node --expose-gc --import tsx bench/fuzz.ts --packets ${packets} --rate ${rate} --connections ${connections}\`).
5 agents on loopback in one process (encrypted, label \`${label}\`, profile ${profile}); a
separate process attacks agent f0: UDP garbage (random, labelled random, bit-flipped and truncated
plaintext and sealed packets, huge declared lengths, 2,000-deep nesting, seal headers with random
key ids), then junk TCP connections to its admin API (random bytes, oversize bodies, unfinished
headers, truncated JSON).

| measure | value |
|---|---|
| datagrams sent / received by f0 | ${result.packetsSent} / ${result.packetsReceivedByTarget} |
| drops by reason | ${Object.entries(result.drops)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')} |
| TCP connections opened | ${counts.opened} (refused ${counts.refused}) |
| attack duration | ${result.attackSeconds} s |
| CPU of the 5-agent process during the attack | ${result.agentCpuSecondsDuringAttack} s |
| converged at the end | ${endConverged} |
| samples not converged during the attack (every 250 ms) | ${result.notConvergedSamplesDuringAttack} |
| healthy members declared failed | ${failed.length}${failed.length ? ` (${failed.join('; ')})` : ''} |
| event-loop delay of the agents' process p50 / p99 / max (ms) | ${result.eventLoopDelayMs.p50} / ${result.eventLoopDelayMs.p99} / ${result.eventLoopDelayMs.max} |
| host load average (1/5/15 min), cores | ${result.hostLoadAverage.join(' / ')}, ${result.cpus} |
| heap before / after (MiB, after full GC) | ${result.heapMiB.before} / ${result.heapMiB.after} (x${result.heapMiB.ratio}) |
| verdict | ${pass ? 'PASS' : 'FAIL'} |

Run on ${result.at}, Node ${result.node}. Raw figures in bench/results/fuzz-*.json.
`;
writeFuzzSection('garbage', md);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n${pass ? 'PASS' : 'FAIL'}\n`);
process.exit(pass ? 0 : 1);
