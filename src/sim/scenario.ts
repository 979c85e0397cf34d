/**
 * Scenarios as data: a cluster and a list of steps, run by the same code the tests use.
 * `phantom simulate --scenario FILE.json` reads this format; README.md documents it.
 */
import { ClusterError } from '../errors.js';
import type { MemberState } from '../core/types.js';
import type { ProfileName, ProtocolConfig } from '../config.js';
import { Simulation } from './simulation.js';
import type { Report } from './measures.js';
import { parseDuration } from './duration.js';
import { SeededRandom } from '../core/seeded-random.js';
import { applyZones, type TrueRtt } from './zones.js';

/** Agents: indices, "a-b" ranges, or "all". */
export type NodeSet = 'all' | readonly (number | string)[];
type Ms = number | string;

export type Step =
  | { do: 'joinAll'; seed?: number; seeds?: NodeSet; spread?: Ms }
  | { do: 'run'; for: Ms }
  | { do: 'runUntil'; at: Ms }
  | { do: 'runUntilConverged'; max?: Ms }
  | { do: 'kill'; nodes?: NodeSet; count?: number }
  | { do: 'restart'; nodes: NodeSet }
  | { do: 'leave'; nodes: NodeSet }
  | { do: 'add'; count?: number; through?: NodeSet; spread?: Ms }
  | { do: 'partition'; groups: readonly NodeSet[]; oneWay?: boolean }
  | { do: 'heal' }
  | { do: 'link'; from: NodeSet; to: NodeSet; loss?: number; latency?: Ms; jitter?: Ms }
  | { do: 'pause'; nodes: NodeSet; for: Ms }
  | { do: 'flap'; from: NodeSet; to: NodeSet; period: Ms }
  | { do: 'markSteady' }
  | { expect: 'converged'; within?: Ms }
  | { expect: 'agreement' }
  | { expect: 'sees'; observers?: NodeSet; subject: number; state: MemberState | MemberState[] }
  | { expect: 'noFalsePositives' };

export interface ScenarioSpec {
  nodes: number;
  seed?: number;
  profile?: ProfileName;
  config?: Partial<ProtocolConfig>;
  latency?: Ms;
  jitter?: Ms;
  loss?: number;
  /**
   * Zones instead of one latency: agent i is in zone i mod `zones`, RTT 1 ms within a zone and
   * 20–80 ms between zones (sim/zones.ts). Set at the start, for the agents the scenario begins with.
   */
  zones?: number;
  steps: readonly Step[];
}

export interface ScenarioResult {
  report: Report;
  /** One line per failed expectation, naming the step. Empty when all held. */
  failures: string[];
  /** Agents killed by `kill` steps, in order. */
  killed: number[];
  simulation: Simulation;
  /** True RTTs of the zone topology, when the scenario has `zones`. */
  zones: TrueRtt | undefined;
}

/** Resolve a node set against a cluster of `size` agents. */
export function resolveNodes(set: NodeSet | undefined, size: number, where: string): number[] {
  if (set === undefined || set === 'all') return Array.from({ length: size }, (_, i) => i);
  if (!Array.isArray(set)) throw new ClusterError('ERR_SCENARIO', `${where}: expected "all" or a list of agents, got ${JSON.stringify(set)}`);
  const out: number[] = [];
  for (const item of set) {
    if (typeof item === 'number' && Number.isInteger(item) && item >= 0 && item < size) out.push(item);
    else if (typeof item === 'string' && /^\d+-\d+$/.test(item)) {
      const [a, b] = item.split('-').map(Number) as [number, number];
      if (a > b || b >= size) throw new ClusterError('ERR_SCENARIO', `${where}: range "${item}" is outside 0-${size - 1}`);
      for (let i = a; i <= b; i++) out.push(i);
    } else throw new ClusterError('ERR_SCENARIO', `${where}: ${JSON.stringify(item)} is not an agent index in 0-${size - 1} or a range "a-b"`);
  }
  return out;
}

const ms = (v: Ms | undefined, fallback: number, where: string): number => (v === undefined ? fallback : parseDuration(v, where));

/**
 * Run a scenario to its end. Throws ERR_SCENARIO for a malformed spec, before or at the bad step.
 * `onSimulation` gets the simulation before the first step, to attach observers (a Recorder).
 */
export function runScenario(
  spec: ScenarioSpec,
  hooks: { progress?: (nowMs: number) => void; onSimulation?: (sim: Simulation, zones: TrueRtt | undefined) => void } = {},
): ScenarioResult {
  if (!spec || typeof spec !== 'object') throw new ClusterError('ERR_SCENARIO', 'a scenario must be an object with nodes and steps');
  if (!Array.isArray(spec.steps)) throw new ClusterError('ERR_SCENARIO', 'steps: must be a list of steps');
  const sim = new Simulation({
    nodes: spec.nodes,
    seed: spec.seed ?? 1,
    profile: spec.profile ?? 'lan',
    config: spec.config ?? {},
    latencyMs: ms(spec.latency, 3, 'latency'),
    jitterMs: ms(spec.jitter, 2, 'jitter'),
    loss: spec.loss ?? 0,
  });
  if (spec.zones !== undefined && !(Number.isInteger(spec.zones) && spec.zones >= 1 && spec.zones <= 16))
    throw new ClusterError('ERR_SCENARIO', `zones: expected an integer from 1 to 16, got ${JSON.stringify(spec.zones)}`);
  const zones = spec.zones ? applyZones(sim, { zones: spec.zones }) : undefined;
  hooks.onSimulation?.(sim, zones);
  const failures: string[] = [];
  const killed: number[] = [];
  // Its own stream, apart from the simulation's: choosing a victim never shifts the protocol's draws
  // (a seed's trace is the same whether a step picks its victims or names them).
  const victims = new SeededRandom(((spec.seed ?? 1) ^ 0x5bd1e995) >>> 0);
  const rng = (): number => victims.next();
  // biome-ignore lint/suspicious/useIterableCallbackReturn: a step returns what it ran, to end the step early; the value is not used
  spec.steps.forEach((step, index) => {
    const where = `steps[${index}]`;
    const nodes = (set: NodeSet | undefined, field: string): number[] => resolveNodes(set, sim.size, `${where}.${field}`);
    if ('expect' in step) {
      const fail = check(sim, step, where, nodes);
      if (fail) failures.push(`${where} (expect ${step.expect}) at ${sim.now}ms: ${fail}`);
      return;
    }
    switch (step.do) {
      case 'joinAll':
        return sim.joinAll({
          ...(step.seeds === undefined ? { seed: step.seed ?? 0 } : { seeds: nodes(step.seeds, 'seeds') }),
          spreadMs: ms(step.spread, 1000, `${where}.spread`),
        });
      case 'run':
        return runChunked(sim, sim.now + ms(step.for, NaN, `${where}.for`), hooks.progress);
      case 'runUntil':
        return runChunked(sim, ms(step.at, NaN, `${where}.at`), hooks.progress);
      case 'runUntilConverged':
        sim.runUntilConverged(ms(step.max, 120_000, `${where}.max`));
        hooks.progress?.(sim.now);
        return;
      case 'kill': {
        const pool = nodes(step.nodes, 'nodes').filter((i) => sim.isRunning(i));
        const count = step.count ?? pool.length;
        for (let k = 0; k < count && pool.length > 0; k++) {
          const victim = step.count === undefined ? pool.shift()! : pool.splice(Math.floor(rng() * pool.length), 1)[0]!;
          sim.kill(victim);
          killed.push(victim);
        }
        return;
      }
      case 'restart':
        for (const i of nodes(step.nodes, 'nodes')) sim.restart(i);
        return;
      case 'leave':
        for (const i of nodes(step.nodes, 'nodes')) sim.leave(i);
        return;
      case 'add': {
        const count = step.count ?? 1;
        if (!Number.isInteger(count) || count < 1)
          throw new ClusterError('ERR_SCENARIO', `${where}.count: expected an integer >= 1, got ${JSON.stringify(step.count)}`);
        const through = step.through === undefined ? sim.running().slice(0, 1) : nodes(step.through, 'through').filter((i) => sim.isRunning(i));
        // With `spread`, the new agents start at random times within it (hosts of a scale-up do
        // not all boot in the same millisecond); they exist, unstarted, from this step on.
        const spread = ms(step.spread, 0, `${where}.spread`);
        for (let k = 0; k < count; k++) {
          const i = sim.add();
          const via = through.length > 0 ? [through[Math.floor(rng() * through.length)]!] : [];
          if (spread > 0) sim.joinAt(i, sim.now + Math.floor(rng() * spread), via);
          else {
            sim.start(i);
            if (via.length > 0) sim.join(i, via);
          }
        }
        return;
      }
      case 'partition':
        if (!Array.isArray(step.groups) || step.groups.length < 2) throw new ClusterError('ERR_SCENARIO', `${where}.groups: give at least two groups`);
        return sim.partition(
          (step.groups as readonly NodeSet[]).map((g, gi) => nodes(g, `groups[${gi}]`)),
          step.oneWay ?? false,
        );
      case 'heal':
        return sim.heal();
      case 'link':
        return sim.link(nodes(step.from, 'from'), nodes(step.to, 'to'), {
          ...(step.loss !== undefined ? { loss: step.loss } : {}),
          ...(step.latency !== undefined ? { latencyMs: ms(step.latency, 0, `${where}.latency`) } : {}),
          ...(step.jitter !== undefined ? { jitterMs: ms(step.jitter, 0, `${where}.jitter`) } : {}),
        });
      case 'pause': {
        const d = ms(step.for, NaN, `${where}.for`);
        for (const i of nodes(step.nodes, 'nodes')) sim.pause(i, d);
        return;
      }
      case 'flap':
        return sim.flap(nodes(step.from, 'from'), nodes(step.to, 'to'), ms(step.period, NaN, `${where}.period`));
      case 'markSteady':
        return sim.markSteady();
      default:
        throw new ClusterError(
          'ERR_SCENARIO',
          `${where}: unknown step ${JSON.stringify(step)}; steps have "do" (joinAll, run, runUntil, runUntilConverged, kill, restart, leave, add, partition, heal, link, pause, flap, markSteady) or "expect" (converged, agreement, sees, noFalsePositives)`,
        );
    }
  });
  return { report: sim.report(), failures, killed, simulation: sim, zones };
}

function runChunked(sim: Simulation, end: number, progress: ((now: number) => void) | undefined): void {
  while (sim.now < end) {
    sim.run(Math.min(1000, end - sim.now));
    progress?.(sim.now);
  }
}

function check(
  sim: Simulation,
  step: Extract<Step, { expect: string }>,
  where: string,
  nodes: (s: NodeSet | undefined, f: string) => number[],
): string | undefined {
  switch (step.expect) {
    case 'converged': {
      const within = ms(step.within, 0, `${where}.within`);
      const ok = within > 0 ? sim.runUntil(() => sim.checkConverged(), within) : sim.checkConverged();
      return ok ? undefined : `not every live agent lists every live agent alive${within > 0 ? ` within ${within}ms` : ''}`;
    }
    case 'agreement': {
      const sums = new Set(sim.checksums().values());
      return sums.size <= 1 ? undefined : `${sums.size} different membership checksums among live agents`;
    }
    case 'sees': {
      const want = Array.isArray(step.state) ? step.state : [step.state];
      const observers = nodes(step.observers, 'observers').filter((i) => sim.isRunning(i) && i !== step.subject);
      const wrong = observers.filter((o) => !want.includes(sim.view(o, step.subject) as MemberState));
      return wrong.length === 0
        ? undefined
        : `${wrong.length} of ${observers.length} observers do not see n${step.subject} as ${want.join('|')} (e.g. n${wrong[0]} sees ${sim.view(wrong[0]!, step.subject) ?? 'nothing'})`;
    }
    case 'noFalsePositives': {
      const fp = sim.report().falsePositives;
      return fp === 0 ? undefined : `${fp} live agents were marked dead`;
    }
    default:
      throw new ClusterError('ERR_SCENARIO', `${where}: unknown expectation ${JSON.stringify(step)}`);
  }
}
