/**
 * `npm run bench:churn`: 100 agents with one crash, leave or restart every 200 ms (issue 18),
 * against the same cluster left quiet, measured side by side in one run. Also unique-name churn
 * (every newcomer a stranger) with the table sizes it leaves. Prints a table and writes
 * bench/results/churn.json; numbers and the command in bench/CHURN.md.
 *
 *   npm run bench:churn                               # 100 agents, 10,000 changes, 2,000 unique
 *   npm run bench:churn -- --changes 1000 --unique 500 --nodes 50
 *   npm run bench:churn -- --only kills --kills 5      # bytes per single kill (finding 7), bench/results/churn-kills.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/simulation.js';
import { churn } from '../src/sim/churn.js';
import { createCodec, type Codec } from '../src/wire/codec.js';
import { MsgType, type Message } from '../src/core/messages.js';
import { stringOption } from '../harness/args.js';

const arg = stringOption;
const nodes = Number(arg('nodes', '100'));
const changes = Number(arg('changes', '10000'));
const unique = Number(arg('unique', '2000'));
const seed = Number(arg('seed', '1'));
const everyMs = 200;

/** Message type number -> its name (MsgType's keys), for every type the protocol has. */
const KINDS: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(MsgType).map(([k, v]) => [v, k]));

/** A codec that counts bytes by the kind of the first message of each packet. */
function countingCodec(): { codec: Codec; bytes: Record<string, number>; reset(): void } {
  const base = createCodec();
  const bytes: Record<string, number> = {};
  const codec: Codec = {
    ...base,
    encode: (ms: readonly Message[]) => {
      const b = base.encode(ms);
      const k = KINDS[ms[0]?.type ?? 0] ?? '?';
      bytes[k] = (bytes[k] ?? 0) + b.length;
      return b;
    },
  };
  return { codec, bytes, reset: () => Object.keys(bytes).forEach((k) => delete bytes[k]) };
}

interface Row {
  run: string;
  changes: number;
  virtualS: number;
  bytesPerAgentPerS: number;
  ratioToQuiet: number;
  convergedAfterS: number | null;
  maxTableRows: number;
  liveAgents: number;
  byKind: Record<string, number>;
  wallS: number;
}

function measure(run: string, mode: 'quiet' | 'same-names' | 'unique-names', count: number, quietBytes: number | null): Row {
  const wall = performance.now();
  const counting = countingCodec();
  const sim = new Simulation({ nodes, seed, codec: () => counting.codec });
  sim.joinAll();
  if (sim.runUntilConverged(120_000) === null) throw new Error(`${run}: the cluster did not converge at the start`);
  sim.run(10_000);
  sim.markSteady();
  counting.reset();
  const from = sim.now;
  if (mode === 'quiet') sim.run(count * everyMs);
  else churn(sim, { mode, everyMs, changes: count, seed, target: nodes });
  const report = sim.report();
  const secs = (sim.now - from) / 1000;
  const live = sim.running().length;
  const byKind = Object.fromEntries(Object.entries(counting.bytes).map(([k, v]) => [k, Math.round(v / secs / live)]));
  const end = sim.now;
  const converged = mode === 'quiet' ? 0 : sim.runUntil(() => sim.checkConverged(), 300_000) ? (sim.now - end) / 1000 : null;
  let maxTableRows = 0;
  for (const i of sim.running()) maxTableRows = Math.max(maxTableRows, sim.agent(i).members().length);
  return {
    run,
    changes: mode === 'quiet' ? 0 : count,
    virtualS: Math.round(secs),
    bytesPerAgentPerS: report.bytesPerNodePerSec,
    ratioToQuiet: quietBytes ? Math.round((report.bytesPerNodePerSec / quietBytes) * 10) / 10 : 1,
    convergedAfterS: converged,
    maxTableRows,
    liveAgents: live,
    byKind,
    wallS: Math.round((performance.now() - wall) / 100) / 10,
  };
}

/**
 * Single kills in a quiet cluster, 30 s apart: the bytes each costs in the 30 s after it, by
 * kind, against 30 s of the quiet cluster before the first (finding 7: catch-up pulls after a death).
 */
function kills(count: number): { quiet30s: Record<string, number>; perKill: Record<string, number>[] } {
  const counting = countingCodec();
  const sim = new Simulation({ nodes, seed, codec: () => counting.codec });
  sim.joinAll();
  if (sim.runUntilConverged(120_000) === null) throw new Error('kills: the cluster did not converge at the start');
  sim.run(40_000);
  const window = (): Record<string, number> => {
    counting.reset();
    sim.run(30_000);
    return { ...counting.bytes };
  };
  const quiet30s = window();
  const perKill: Record<string, number>[] = [];
  for (let k = 0; k < count; k++) {
    sim.kill(1 + Math.floor(((k + 0.5) * (nodes - 1)) / count));
    perKill.push(window());
  }
  return { quiet30s, perKill };
}

if (arg('only', '') === 'kills') {
  const r = kills(Number(arg('kills', '5')));
  const total = (b: Record<string, number>): number => Object.values(b).reduce((a, v) => a + v, 0);
  console.log(`${nodes} agents, lan, seed ${seed}: bytes sent by all agents in 30 s, by kind (first message of each packet)`);
  console.log(`quiet: ${total(r.quiet30s)} ${JSON.stringify(r.quiet30s)}`);
  r.perKill.forEach((b, i) => console.log(`kill ${i + 1}: ${total(b)} ${JSON.stringify(b)}`));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/churn-kills.json', `${JSON.stringify({ nodes, seed, windowMs: 30_000, ...r }, null, 2)}\n`);
  process.exit(0);
}

const quiet = measure('quiet', 'quiet', changes, null);
const rows = [
  quiet,
  measure('crash/leave/restart', 'same-names', changes, quiet.bytesPerAgentPerS),
  measure('unique names', 'unique-names', unique, quiet.bytesPerAgentPerS),
];

console.log(`${nodes} agents, lan, seed ${seed}, one change every ${everyMs} ms`);
console.log(['run', 'changes', 'virtual s', 'B/agent/s', '× quiet', 'converged after s', 'max table rows', 'live', 'wall s'].join(' | '));
for (const r of rows)
  console.log(
    [r.run, r.changes, r.virtualS, r.bytesPerAgentPerS, r.ratioToQuiet, r.convergedAfterS ?? 'no', r.maxTableRows, r.liveAgents, r.wallS].join(' | '),
  );
console.log('\nbytes per agent per second by kind (first message of each packet):');
for (const r of rows) console.log(`${r.run}: ${JSON.stringify(r.byKind)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/churn.json', `${JSON.stringify({ nodes, seed, everyMs, changes, unique, rows }, null, 2)}\n`);
