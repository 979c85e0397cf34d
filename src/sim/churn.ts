/**
 * Churn: one membership change every `everyMs` of virtual time, for `changes` changes.
 *
 * - `same-names`: each change crashes, leaves or restarts a running agent (a third each), or
 *   brings a down one back under its old name (a fresh process) once a tenth of the cluster is
 *   down, so about nine in ten agents are up throughout.
 * - `unique-names`: each change is a departure (a crash or a leave) while `target` agents run,
 *   and otherwise a newcomer with a name never used before (Simulation.add) that joins through a
 *   running agent. Names are never reused, so every departed row is a stranger's, and only
 *   reaping keeps the tables bounded.
 */
import { ClusterError } from '../errors.js';
import type { Simulation } from './simulation.js';
import { SeededRandom } from '../core/seeded-random.js';

export interface ChurnOptions {
  readonly mode: 'same-names' | 'unique-names';
  readonly everyMs: number;
  readonly changes: number;
  /** Agents meant to be running (default: those running when the churn starts). */
  readonly target?: number;
  /** Seeds the choice of victims, apart from the simulation's own randomness. */
  readonly seed?: number;
}

export interface Departure {
  readonly name: string;
  readonly atMs: number;
  readonly how: 'crash' | 'leave';
}

export interface ChurnResult {
  readonly crashes: number;
  readonly leaves: number;
  readonly restarts: number;
  readonly added: number;
  /** Every departure, in order (a restart's crash included): what the tables may still hold. */
  readonly departures: readonly Departure[];
}

/** Run `changes` changes, one every `everyMs`, then return (the last change has just happened). */
export function churn(sim: Simulation, opts: ChurnOptions): ChurnResult {
  if (!Number.isInteger(opts.changes) || opts.changes < 0) throw new ClusterError('ERR_ARGUMENT', `changes must be an integer >= 0, got ${opts.changes}`);
  if (!(opts.everyMs > 0)) throw new ClusterError('ERR_ARGUMENT', `everyMs must be > 0, got ${opts.everyMs}`);
  // Its own stream, apart from the simulation's: choosing a victim never shifts the protocol's draws.
  const victims = new SeededRandom(((opts.seed ?? 1) ^ 0x2545f491) >>> 0);
  const rng = (): number => victims.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const target = opts.target ?? sim.running().length;
  const departures: Departure[] = [];
  const counts = { crashes: 0, leaves: 0, restarts: 0, added: 0 };
  const depart = (i: number, how: 'crash' | 'leave'): void => {
    departures.push({ name: sim.name(i), atMs: sim.now, how });
    if (how === 'crash') {
      counts.crashes++;
      sim.kill(i);
    } else {
      counts.leaves++;
      sim.leave(i);
    }
  };
  for (let k = 0; k < opts.changes; k++) {
    sim.run(opts.everyMs);
    const up = sim.running();
    const down = [...Array(sim.size).keys()].filter((i) => !sim.isRunning(i));
    if (opts.mode === 'unique-names') {
      if (up.length >= target && up.length > 1) depart(pick(up), rng() < 0.5 ? 'crash' : 'leave');
      else {
        const i = sim.add();
        sim.start(i);
        if (up.length > 0) sim.join(i, [pick(up)]);
        counts.added++;
      }
      continue;
    }
    if (down.length >= Math.max(1, Math.floor(target / 10)) || up.length <= 1) {
      counts.restarts++;
      sim.restart(pick(down));
      continue;
    }
    const r = rng();
    const victim = pick(up);
    if (r < 1 / 3) depart(victim, 'crash');
    else if (r < 2 / 3) depart(victim, 'leave');
    else {
      departures.push({ name: sim.name(victim), atMs: sim.now, how: 'crash' });
      counts.restarts++;
      sim.restart(victim);
    }
  }
  return { ...counts, departures };
}
