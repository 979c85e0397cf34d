/**
 * `phantom demo`: a small live cluster in this process, on the simulated network run in real
 * time, printing every change of the member table as agent 0 sees it. After a while one agent
 * crashes and later comes back, so a newcomer sees join, suspect, failed and alive happen.
 */
import type { CommandSpec } from './command.js';
import { ClusterError } from '../../errors.js';
import { isProfileName } from '../../config.js';
import { parseDuration } from '../../sim/duration.js';
import { Simulation } from '../../sim/simulation.js';

interface DemoArgs {
  nodes: number;
  seed: number;
  profile: string;
  duration?: string;
  speed: number;
}

export const demoCommand: CommandSpec<DemoArgs> = {
  options: {
    nodes: { alias: 'n', type: 'number', default: 5, describe: 'Agents in the cluster' },
    seed: { type: 'number', default: Date.now() % 100_000, defaultDescription: 'from the clock', describe: 'Random seed' },
    profile: { type: 'string', default: 'lan', choices: ['lan', 'wan', 'local'], describe: 'Protocol profile' },
    duration: { type: 'string', describe: 'Stop after this long (default: run until Ctrl-C)' },
    speed: { type: 'number', default: 1, describe: 'Virtual seconds per real second' },
  },
  handler: async (args) => {
    if (!Number.isInteger(args.nodes) || args.nodes < 2 || args.nodes > 200)
      throw new ClusterError('ERR_ARGUMENT', `--nodes must be an integer from 2 to 200, got ${args.nodes}`);
    if (!(args.speed > 0 && args.speed <= 100)) throw new ClusterError('ERR_ARGUMENT', `--speed must be in (0, 100], got ${args.speed}`);
    if (!isProfileName(args.profile)) throw new ClusterError('ERR_ARGUMENT', '--profile must be lan, wan or local');
    const stopAt = args.duration ? parseDuration(args.duration, '--duration') : Infinity;
    const sim = new Simulation({ nodes: args.nodes, seed: args.seed, profile: args.profile });
    const out = (line: string): void => void process.stdout.write(`${line}\n`);
    out(`phantom demo: ${args.nodes} agents on a simulated network (seed ${args.seed}); the table is agent n0's view. Ctrl-C stops.`);
    sim.onEvent((observer, e, now) => {
      if (observer !== 'n0') return;
      out(`${(now / 1000).toFixed(1).padStart(7)}s  ${e.member.name.padEnd(5)} ${e.type.padEnd(7)} (incarnation ${e.member.incarnation})`);
      printTableSoon();
    });
    let tableDue = false;
    const printTableSoon = (): void => void (tableDue = true);
    const printTable = (): void => {
      tableDue = false;
      const rows = sim
        .agent(0)
        .members()
        .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
      out(`         ${rows.map((m) => `${m.name}:${m.state}`).join('  ')}`);
    };
    sim.joinAll({ spreadMs: 1000 });
    const victim = args.nodes - 1;
    sim.at(15_000, () => {
      out(`         -- crashing ${sim.name(victim)} --`);
      sim.kill(victim);
    });
    sim.at(40_000, () => {
      out(
        `         -- restarting ${sim.name(victim)}: a new process under the same name, so the others take it back at once (flap damping holds back only the same process coming back) --`,
      );
      sim.restart(victim, [0]);
    });
    const tickMs = 100;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        sim.run(tickMs * args.speed);
        if (tableDue) printTable();
        if (sim.now >= stopAt) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
      process.once('SIGINT', () => {
        clearInterval(timer);
        resolve();
      });
    });
  },
};
