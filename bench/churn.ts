/**
 * `npm run bench:churn`: 100 agents with one crash, leave or restart every 200 ms (issue 18),
 * against the same cluster left quiet, measured side by side in one run. Also unique-name churn
 * (every newcomer a stranger) with the table sizes it leaves. Prints a table and writes
 * bench/results/churn.json; numbers and the command in bench/CHURN.md.
 *
 *   npm run bench:churn                               # 100 agents, 10,000 changes, 2,000 unique
 *   npm run bench:churn -- --changes 1000 --unique 500 --nodes 50
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/simulation.js';
import { churn } from '../src/sim/churn.js';
import { createCodec, type Codec } from '../src/wire/codec.js';
import { MsgType, type Message } from '../src/core/messages.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
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

const quiet = measure('quiet', 'quiet', changes, null);
const rows = [quiet, measure('crash/leave/restart', 'same-names', changes, quiet.bytesPerAgentPerS), measure('unique names', 'unique-names', unique, quiet.bytesPerAgentPerS)];

console.log(`${nodes} agents, lan, seed ${seed}, one change every ${everyMs} ms`);
console.log(['run', 'changes', 'virtual s', 'B/agent/s', '× quiet', 'converged after s', 'max table rows', 'live', 'wall s'].join(' | '));
for (const r of rows) console.log([r.run, r.changes, r.virtualS, r.bytesPerAgentPerS, r.ratioToQuiet, r.convergedAfterS ?? 'no', r.maxTableRows, r.liveAgents, r.wallS].join(' | '));
console.log('\nbytes per agent per second by kind (first message of each packet):');
for (const r of rows) console.log(`${r.run}: ${JSON.stringify(r.byKind)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/churn.json', `${JSON.stringify({ nodes, seed, everyMs, changes, unique, rows }, null, 2)}\n`);
