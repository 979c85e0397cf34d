/**
 * `npm run bench:timescales`: issue 18's targets for timing, flap damping and the two
 * timescales, in the simulator (virtual time, fixed seeds). Prints a table per part and writes
 * bench/results/timescales.json. Numbers and commands: bench/TIMESCALES.md.
 *
 *   npm run bench:timescales                                  # every part
 *   npm run bench:timescales -- --parts rapid --seeds 5 --minutes 10 --rapid-size 256
 *   npm run bench:timescales -- --parts restart,pause,split,stall
 *   npm run bench:timescales -- --parts loss --seeds 2          # suspicions under 10% loss by probeRetries
 *   npm run bench:timescales -- --parts kill --seeds 20         # removal after a kill at 8 agents, ours vs Lifeguard alone
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readJsonFile } from '../src/runtime/json-file.js';
import { Simulation } from '../src/sim/index.js';
import { lifeguardOnly, type ProfileName } from '../src/config.js';
import { runRapidScenario, type RapidFault } from '../harness/lifeguard-scenario.js';
import { stringOption } from '../harness/args.js';

const arg = stringOption;
const parts = new Set(arg('parts', 'restart,pause,split,stall,rapid,loss,kill').split(','));
const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + 1);
const minutes = Number(arg('minutes', '10'));
const rapidSize = Number(arg('rapid-size', '256'));
const out: Record<string, unknown> = {};
const say = (s: string): void => void process.stdout.write(`${s}\n`);
const sec = (ms: number | null): string => (ms === null || !Number.isFinite(ms) ? 'never' : (ms / 1000).toFixed(2));
const max = (xs: number[]): number => Math.max(...xs);

/** Every running agent but `subject` holds `subject` alive. */
const aliveEverywhere = (sim: Simulation, subject: number): boolean => sim.running().every((i) => i === subject || sim.view(i, subject) === 'alive');

if (parts.has('restart')) {
  // A crash, 20 s dead everywhere, then a new process under the same name: incarnation 0, no data dir.
  const rows = seeds.map((seed) => {
    const sim = new Simulation({ nodes: 64, seed });
    sim.joinAll();
    sim.runUntilConverged(60_000);
    sim.kill(7);
    sim.run(20_000);
    const start = sim.now;
    sim.restart(7, [0]);
    sim.runUntil(() => aliveEverywhere(sim, 7), 60_000, 10);
    return sim.now - start;
  });
  out.restart = { nodes: 64, seeds: seeds.length, msToAliveEverywhere: rows };
  say(`\ncrash-restart (64 agents, new process life): alive on every agent after ${rows.map(sec).join(', ')} s (max ${sec(max(rows))}; target <= 2 s)`);
}

if (parts.has('pause')) {
  // The same process, paused long enough to be declared dead once: back after answering again.
  const rows = seeds.map((seed) => {
    const sim = new Simulation({ nodes: 64, seed });
    sim.joinAll();
    sim.runUntilConverged(60_000);
    sim.pause(7, 15_000);
    sim.run(15_000);
    const resumed = sim.now;
    sim.runUntil(() => aliveEverywhere(sim, 7), 60_000, 10);
    return sim.now - resumed;
  });
  out.pause = { nodes: 64, seeds: seeds.length, pauseMs: 15_000, msFromResumeToAliveEverywhere: rows };
  say(`paused 15 s (declared dead once): alive on every agent ${rows.map(sec).join(', ')} s after it resumed (max ${sec(max(rows))}; target <= 5 s)`);
}

if (parts.has('split')) {
  // Two halves apart for 5 minutes, nobody acting: converged within 2 x reconnect interval of the heal?
  const rows = seeds.map((seed) => {
    const sim = new Simulation({ nodes: 64, seed });
    sim.joinAll();
    sim.runUntilConverged(60_000);
    const half = Array.from({ length: 32 }, (_, i) => i);
    sim.partition([half, half.map((i) => i + 32)]);
    sim.run(300_000);
    sim.heal();
    const healed = sim.now;
    sim.runUntil(() => sim.checkConverged(), 120_000, 100);
    return sim.checkConverged() ? sim.now - healed : Infinity;
  });
  const target = 2 * new Simulation({ nodes: 1 }).config.reconnectIntervalMs;
  out.split = { nodes: 64, seeds: seeds.length, splitMs: 300_000, msToConverge: rows, targetMs: target };
  say(
    `split into halves for 5 min (64 agents): converged ${rows.map(sec).join(', ')} s after the heal (max ${sec(max(rows))}; target <= ${sec(target)} s; before issue 18: 41.5 s)`,
  );
}

if (parts.has('stall')) {
  // Per profile: the longest stall (SIGSTOP-like pause) of one agent of 8 that no agent declares failed, over every seed.
  const table: Record<string, unknown>[] = [];
  say(
    '\nlongest stall never declared failed (8 agents; one agent paused; every seed)\n| profile | stalls tried (s) | longest never failed (s) | first stall failed somewhere (s) |\n|---|---|---|---|',
  );
  for (const profile of ['local', 'lan', 'wan'] as ProfileName[]) {
    const step = profile === 'wan' ? 5_000 : 1_000;
    let longest = 0;
    let firstFailed: number | null = null;
    const tried: number[] = [];
    for (let ms = step; ms <= 12 * step; ms += step) {
      tried.push(ms);
      const failed = seeds.some((seed) => {
        const sim = new Simulation({ nodes: 8, seed, profile });
        sim.joinAll({ spreadMs: 500 });
        sim.runUntilConverged(60_000);
        sim.run(3_000);
        sim.pause(5, ms);
        sim.run(ms + 30_000);
        return sim.report().falsePositives > 0;
      });
      if (failed) {
        firstFailed = ms;
        break;
      }
      longest = ms;
    }
    table.push({ profile, longestNeverFailedMs: longest, firstFailedMs: firstFailed });
    say(`| ${profile} | ${tried.map((t) => t / 1000).join(', ')} | ${sec(longest)} | ${sec(firstFailed)} |`);
  }
  out.stall = table;
}

if (parts.has('rapid')) {
  const rows: Record<string, unknown>[] = [];
  say(
    `\nRapid's one-way faults on 1% of ${rapidSize} agents, ${seeds.length} seeds x ${minutes} virtual min, default configuration (targets: <= 2 alive<->dead changes per faulty member, 0 healthy members declared dead)\n| fault | changes per faulty member, median / max | healthy declared dead | msgs/agent/s | bytes/agent/s | wall s |\n|---|---|---|---|---|---|`,
  );
  // --faults egress-loss-80 (or ingress-flip-flop) runs one; each then has a results key of its own.
  const faults = arg('faults', 'egress-loss-80,ingress-flip-flop').split(',') as RapidFault[];
  for (const fault of faults) {
    const t = Date.now();
    const runs = seeds.map((seed) => runRapidScenario({ nodes: rapidSize, seed, minutes, config: {}, fault }));
    const row = {
      fault,
      nodes: rapidSize,
      seeds: seeds.length,
      minutes,
      transitionsMaxPerSeed: runs.map((r) => r.transitionsMax),
      transitionsMedian: runs.map((r) => r.transitionsMedian).sort((a, b) => a - b)[Math.floor(runs.length / 2)],
      transitionsMax: max(runs.map((r) => r.transitionsMax)),
      falsePositivesOnHealthy: runs.reduce((a, r) => a + r.falsePositivesOnHealthy, 0),
      msgsPerNodePerSec: Math.round((runs.reduce((a, r) => a + r.msgsPerNodePerSec, 0) / runs.length) * 100) / 100,
      bytesPerNodePerSec: Math.round(runs.reduce((a, r) => a + r.bytesPerNodePerSec, 0) / runs.length),
      wallMs: Date.now() - t,
    };
    rows.push(row);
    say(
      `| ${fault} | ${row.transitionsMedian} / ${row.transitionsMax} (per seed: ${row.transitionsMaxPerSeed.join(', ')}) | ${row.falsePositivesOnHealthy} | ${row.msgsPerNodePerSec} | ${row.bytesPerNodePerSec} | ${(row.wallMs / 1000).toFixed(0)} |`,
    );
  }
  if (faults.length === 2) out.rapid = rows;
  else out[`rapid-${faults[0]}`] = rows;
}

if (parts.has('loss')) {
  // Issue 18: suspicions raised about live members under 10% loss (32 agents, 120 s), by the
  // number of direct pings per probe, against Serf's in bench/SERF.md.
  const rows: Record<string, unknown>[] = [];
  say(
    `\n10% loss on every link, 32 agents, 120 s: distinct suspicions (member x incarnation) of live members\n| probeRetries | suspicions per seed | false positives | msgs/agent/s | bytes/agent/s |\n|---|---|---|---|---|`,
  );
  for (const probeRetries of [0, 1, 2, 3]) {
    const runs = seeds.map((seed) => {
      const sim = new Simulation({ nodes: 32, seed, config: { probeRetries } });
      sim.joinAll();
      sim.runUntilConverged(60_000);
      sim.markSteady();
      sim.link('all', 'all', { loss: 0.1 });
      const raised = new Set<string>();
      sim.onEvent((_o, e) => {
        if (e.type === 'suspect') raised.add(`${e.member.name}@${e.member.incarnation}`);
      });
      sim.run(120_000);
      const r = sim.report();
      return { suspicions: raised.size, falsePositives: r.falsePositives, msgs: r.msgsPerNodePerSec, bytes: r.bytesPerNodePerSec };
    });
    rows.push({ probeRetries, runs });
    say(
      `| ${probeRetries} | ${runs.map((r) => r.suspicions).join(', ')} | ${runs.map((r) => r.falsePositives).join(', ')} | ${runs.map((r) => r.msgs.toFixed(2)).join(', ')} | ${runs.map((r) => Math.round(r.bytes)).join(', ')} |`,
    );
  }
  out.loss = rows;
}

if (parts.has('kill')) {
  // bench:serf's kill at N = 8 in the simulator: first suspicion and removal everywhere, ours
  // against Lifeguard alone (memberlist's algorithm, the same timings), with the same draws.
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: Record<string, unknown>[] = [];
  say(
    `\nSIGKILL of one agent of 8 (lan), ${seeds.length} seeds, the kill at 5-6 s after convergence\n| system | first suspect median s | all dead median s | all dead mean s |\n|---|---|---|---|`,
  );
  for (const [label, config] of [
    ['ours', {}],
    ['Lifeguard alone', lifeguardOnly],
  ] as const) {
    const first: number[] = [];
    const all: number[] = [];
    for (const seed of seeds) {
      const sim = new Simulation({ nodes: 8, seed, config });
      sim.joinAll();
      sim.runUntilConverged(60_000);
      sim.run(5000 + ((seed * 137) % 1000));
      const t0 = sim.now;
      sim.kill(7);
      let firstSuspect = Infinity;
      sim.onEvent((_o, e) => {
        if (e.member.name === sim.name(7) && e.type === 'suspect' && firstSuspect === Infinity) firstSuspect = sim.now - t0;
      });
      sim.runUntil(() => sim.running().every((i) => sim.view(i, 7) === 'dead'), 60_000, 5);
      first.push(firstSuspect);
      all.push(sim.now - t0);
    }
    rows.push({ system: label, firstSuspectMs: first, allDeadMs: all });
    say(`| ${label} | ${sec(median(first))} | ${sec(median(all))} | ${sec(all.reduce((a, x) => a + x, 0) / all.length)} |`);
  }
  out.kill = rows;
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/timescales.json', import.meta.url);
const before = (readJsonFile(file, { code: 'ERR_ARGUMENT', label: String(file), missingOk: true }) ?? {}) as Record<string, unknown>;
const at = new Date().toISOString();
for (const k of Object.keys(out)) out[k] = { measuredAt: at, value: out[k] };
writeFileSync(file, `${JSON.stringify({ ...before, ...out }, null, 2)}\n`);
say(`\nwrote ${file.pathname}`);
