/**
 * `npm run bench:coordinates`: network coordinates in the simulator. Three zones (RTT 1 ms
 * within a zone, 20/50/80 ms between), N agents, 2 virtual minutes: the median relative error
 * of the estimated RTT over all pairs (also within and between zones, and p90) at 2 minutes,
 * without and with 5% loss; and the bytes each agent sends per second in steady state with
 * coordinates on and off, beside Serf's (bench/SERF.md). Prints tables, writes
 * bench/results/coordinates.json.
 *
 *   npm run bench:coordinates               # N = 30 and 100
 *   npm run bench:coordinates -- 60         # chosen N
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Simulation } from '../src/sim/simulation.js';
import { applyZones, CoordinateSampler, type CoordinateAccuracy } from '../src/sim/zones.js';

/** Serf's own-counter bytes out per agent per second, idle, N = 8 and 64 (bench/SERF.md, issue 13 runs). */
const SERF_BYTES_PER_AGENT_PER_SEC = 214;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 1);
const NS = sizes.length > 0 ? sizes : [30, 100];
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function accuracy(n: number, loss: number, seed: number): { final: CoordinateAccuracy; stableFrom60s: number; wallMs: number } {
  const t = Date.now();
  const sim = new Simulation({ nodes: n, seed, loss });
  const sampler = new CoordinateSampler(sim, applyZones(sim, { zones: 3 }), 10_000);
  sim.joinAll({ seed: 0, spreadMs: 1000 });
  sim.run(120_000);
  const s = sampler.samples;
  // Worst median over the second minute: "stable" means it stays under the target once there.
  const stableFrom60s = Math.max(...s.filter((x) => x.atMs >= 60_000).map((x) => x.median));
  return { final: s[s.length - 1]!, stableFrom60s, wallMs: Date.now() - t };
}

/** Steady-state bytes/agent/s: after the join and the first push-pulls settle, over 60 s. */
function bytes(n: number, coordinates: boolean, zones: boolean): number {
  const sim = new Simulation({ nodes: n, seed: 1, config: { coordinates } });
  if (zones) applyZones(sim, { zones: 3 });
  sim.joinAll({ seed: 0, spreadMs: 1000 });
  sim.run(60_000);
  sim.markSteady();
  sim.run(60_000);
  return sim.report().bytesPerNodePerSec;
}

const rows: Record<string, unknown>[] = [];
process.stdout.write(
  '\nAccuracy at 2 virtual minutes (three zones)\n| N | loss | median | within zones | between zones | p90 | worst median 60-120 s | nearest in own zone | wall s |\n|---|---|---|---|---|---|---|---|---|\n',
);
for (const n of NS) {
  for (const loss of [0, 0.05]) {
    const r = accuracy(n, loss, 3);
    rows.push({ kind: 'accuracy', n, loss, ...r.final, stableFrom60s: r.stableFrom60s, wallMs: r.wallMs });
    process.stdout.write(
      `| ${n} | ${pct(loss)} | ${pct(r.final.median)} | ${pct(r.final.intra)} | ${pct(r.final.inter)} | ${pct(r.final.p90)} | ${pct(r.stableFrom60s)} | ${pct(r.final.nearestInZone)} | ${(r.wallMs / 1000).toFixed(1)} |\n`,
    );
  }
}
process.stdout.write(
  `\nBytes out per agent per second, steady state (Serf: ${SERF_BYTES_PER_AGENT_PER_SEC}, its own counters, bench/SERF.md)\n| N | links | coordinates off | coordinates on | added | on / Serf |\n|---|---|---|---|---|---|\n`,
);
for (const n of NS) {
  for (const zones of [false, true]) {
    const off = bytes(n, false, zones);
    const on = bytes(n, true, zones);
    const ratio = on / SERF_BYTES_PER_AGENT_PER_SEC;
    rows.push({ kind: 'bytes', n, links: zones ? 'three zones' : '1-5 ms', off, on, serf: SERF_BYTES_PER_AGENT_PER_SEC, ratio });
    process.stdout.write(`| ${n} | ${zones ? 'three zones' : '1-5 ms'} | ${off} | ${on} | ${(on - off).toFixed(1)} | ${ratio.toFixed(2)} |\n`);
  }
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/coordinates.json', import.meta.url), `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
