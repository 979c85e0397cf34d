/**
 * `phantom simulate`: a cluster in virtual time, in this process. Without --scenario: all agents
 * join through agent 0 within the first second; once converged, the requested faults happen;
 * the report follows at the end of --duration.
 */
import type { CommandSpec } from './command.js';
import { writeFileSync } from 'node:fs';
import { ClusterError } from '../../errors.js';
import { readJsonFile } from '../../runtime/json-file.js';
import { isProfileName, type ProfileName, type ProtocolConfig } from '../../config.js';
import { parseDuration } from '../../sim/duration.js';
import { formatReport } from '../../sim/report.js';
import { runScenario, type ScenarioSpec, type Step } from '../../sim/scenario.js';
import { Recorder, type SimSeries } from '../../sim/recorder.js';
import { coordinateAccuracy, CoordinateSampler, type CoordinateAccuracy } from '../../sim/zones.js';
import { chartFormatOf, renderChartFor } from '../../sim/charts/index.js';
import { parseOverrides } from '../overrides.js';

interface SimulateArgs {
  nodes: number;
  seed: number;
  duration: string;
  profile: string;
  loss: number;
  latency: string;
  jitter: string;
  kill: number;
  partition?: string;
  pause?: string;
  json: boolean;
  scenario?: string;
  set: string[];
  config?: string;
  report?: string;
  zones?: number;
}

export const simulateCommand: CommandSpec<SimulateArgs> = {
  options: {
    nodes: { alias: 'n', type: 'number', default: 50, describe: 'Agents in the cluster' },
    seed: { type: 'number', default: 1, describe: 'Random seed: the same seed replays the same run' },
    duration: { type: 'string', default: '60s', describe: 'Virtual time to run (e.g. 60s, 500ms, 2m)' },
    profile: { type: 'string', default: 'lan', choices: ['lan', 'wan', 'local'], describe: 'Protocol profile' },
    loss: { type: 'number', default: 0, describe: 'Packet loss on every link, 0..1' },
    latency: { type: 'string', default: '3ms', describe: 'Mean one-way link latency' },
    jitter: { type: 'string', default: '2ms', describe: 'Latency varies by ± this' },
    kill: { type: 'number', default: 0, describe: 'Crash this many agents (chosen by the seed) once converged' },
    partition: { type: 'string', describe: 'Once converged, split the cluster in two halves for this long, then heal' },
    pause: { type: 'string', describe: 'Once converged, stall one agent (chosen by the seed) for this long' },
    set: { type: 'string', array: true, default: [], describe: 'Protocol override key=value (repeatable), e.g. --set suspicionMult=5' },
    config: { type: 'string', describe: 'JSON file of protocol overrides' },
    scenario: { type: 'string', describe: 'Run the scenario in this JSON file (see README "Scenario files")' },
    json: { type: 'boolean', default: false, describe: 'Print one JSON object instead of the readable report' },
    report: { type: 'string', describe: 'Also write charts (dissemination, detection, load; coordinates with --zones) to FILE.svg or FILE.html' },
    zones: {
      type: 'number',
      describe: 'Agents in this many zones: RTT 1 ms within a zone, 20-80 ms between (replaces --latency); reports how well network coordinates estimate it',
    },
  },
  examples: [
    ['$0 simulate --nodes 1000 --kill 3 --json', 'Detection times at 1000 agents'],
    ['$0 simulate --scenario partition.json', 'Run a scenario file'],
    ['$0 simulate --nodes 200 --kill 2 --report sim.svg', 'Charts of a run as SVG'],
    ['$0 simulate --nodes 60 --zones 3 --duration 2m --report coords.svg', 'Accuracy of network coordinates across three zones'],
  ],
  handler: (args) => {
    const overrides: Partial<ProtocolConfig> = {
      ...(args.config ? (readJsonFile(args.config, { code: 'ERR_ARGUMENT', label: `--config ${args.config}` }) as Partial<ProtocolConfig>) : {}),
      ...parseOverrides(args.set, '--set'),
    };
    let spec: ScenarioSpec;
    if (args.scenario) {
      spec = readJsonFile(args.scenario, { code: 'ERR_ARGUMENT', label: `--scenario ${args.scenario}` }) as ScenarioSpec;
      spec = { ...spec, config: { ...(spec.config ?? {}), ...overrides }, ...(args.zones !== undefined ? { zones: args.zones } : {}) };
    } else {
      if (!isProfileName(args.profile)) throw new ClusterError('ERR_ARGUMENT', `--profile must be lan, wan or local`);
      spec = builtInScenario(args, args.profile, overrides);
    }
    const end = args.scenario ? undefined : parseDuration(args.duration, '--duration');
    const progress = process.stderr.isTTY && !args.json ? progressBar(end) : undefined;
    if (args.report !== undefined && chartFormatOf(args.report) === undefined)
      throw new ClusterError('ERR_ARGUMENT', `--report: the file name must end in .svg or .html, got ${args.report}`);
    let recorder = undefined as Recorder | undefined;
    let sampler = undefined as CoordinateSampler | undefined;
    const result = runScenario(spec, {
      ...(progress ? { progress } : {}),
      onSimulation: (sim, zones) => {
        if (args.report !== undefined) recorder = new Recorder(sim);
        if (zones) sampler = new CoordinateSampler(sim, zones);
      },
    });
    const accuracy = result.zones ? coordinateAccuracy(result.simulation, result.zones) : undefined;
    if (progress) process.stderr.write('\r\x1b[K');
    if (args.json) process.stdout.write(`${JSON.stringify({ ...result.report, ...(accuracy ? { coordinates: accuracy } : {}), failures: result.failures })}\n`);
    else {
      process.stdout.write(`${formatReport(result.report)}\n`);
      if (accuracy) process.stdout.write(`${formatAccuracy(accuracy)}\n`);
      for (const f of result.failures) process.stdout.write(`FAILED ${f}\n`);
    }
    const text = accuracy ? `${formatReport(result.report)}\n${formatAccuracy(accuracy)}` : formatReport(result.report);
    if (args.report !== undefined && recorder)
      writeReport(args.report, { ...recorder.series(), ...(sampler ? { coordinates: [...sampler.samples, ...(accuracy ? [accuracy] : [])] } : {}) }, text);
    if (result.failures.length > 0) process.exitCode = 1;
  },
};

/** Write the charts of the run; a bad path is a usage error naming the file. */
function writeReport(file: string, series: SimSeries, text: string): void {
  try {
    writeFileSync(file, renderChartFor(file, series, text) ?? '');
  } catch (e) {
    throw new ClusterError('ERR_ARGUMENT', `--report: cannot write ${file}: ${(e as Error).message}`);
  }
}

function formatAccuracy(a: CoordinateAccuracy): string {
  const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
  return `coordinates           median RTT error ${pct(a.median)} (within zones ${pct(a.intra)}, between ${pct(a.inter)}, p90 ${pct(a.p90)}) over ${a.pairs} pairs; nearest by estimate in the same zone for ${pct(a.nearestInZone)} of agents`;
}

function builtInScenario(args: SimulateArgs, profile: ProfileName, config: Partial<ProtocolConfig>): ScenarioSpec {
  const duration = parseDuration(args.duration, '--duration');
  if (!Number.isInteger(args.nodes) || args.nodes < 1) throw new ClusterError('ERR_ARGUMENT', `--nodes must be an integer >= 1, got ${args.nodes}`);
  if (args.zones !== undefined && !(Number.isInteger(args.zones) && args.zones >= 1 && args.zones <= 16))
    throw new ClusterError('ERR_ARGUMENT', `--zones must be an integer from 1 to 16, got ${args.zones}`);
  if (!Number.isInteger(args.kill) || args.kill < 0 || args.kill >= args.nodes)
    throw new ClusterError('ERR_ARGUMENT', `--kill must be between 0 and nodes - 1 (${args.nodes - 1}), got ${args.kill}`);
  const steps: Step[] = [
    { do: 'joinAll', seed: 0, spread: '1s' },
    { do: 'runUntilConverged', max: duration },
  ];
  if (args.kill > 0) steps.push({ do: 'kill', nodes: [`1-${args.nodes - 1}`], count: args.kill });
  if (args.pause) steps.push({ do: 'pause', nodes: [1 + (Math.abs(args.seed * 7919) % Math.max(1, args.nodes - 1))], for: args.pause });
  if (args.partition) {
    const half = Math.floor(args.nodes / 2);
    if (half < 1) throw new ClusterError('ERR_ARGUMENT', '--partition needs at least 2 nodes');
    steps.push({ do: 'partition', groups: [[`0-${half - 1}`], [`${half}-${args.nodes - 1}`]] }, { do: 'run', for: args.partition }, { do: 'heal' });
  }
  steps.push({ do: 'runUntil', at: duration });
  return {
    nodes: args.nodes,
    seed: args.seed,
    profile,
    config,
    latency: args.latency,
    jitter: args.jitter,
    loss: args.loss,
    ...(args.zones !== undefined ? { zones: args.zones } : {}),
    steps,
  };
}

function progressBar(end: number | undefined): (now: number) => void {
  const started = Date.now();
  let last = 0;
  return (now) => {
    if (Date.now() - last < 200 || Date.now() - started < 1000) return;
    last = Date.now();
    const frac = end ? Math.min(1, now / end) : 0;
    const width = 30;
    const bar = end ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width)}] ${Math.round(frac * 100)}%` : '';
    process.stderr.write(`\r\x1b[Ksimulating ${bar} virtual ${(now / 1000).toFixed(0)}s, wall ${((Date.now() - started) / 1000).toFixed(0)}s`);
  };
}
