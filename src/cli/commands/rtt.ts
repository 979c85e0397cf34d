/**
 * `phantom rtt A [B]`: the round-trip time between two members estimated from their network
 * coordinates, as the local agent last heard them (as `serf rtt`). B defaults to the local agent.
 */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import type { MemberJson } from '../../admin/server.js';
import { estimateRttMs, compatible, type Coordinate } from '../../core/coordinate.js';
import { ClusterError } from '../../errors.js';
import { printable, terminalJson } from '../escape.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface RttArgs extends AdminArgs {
  a: string;
  b?: string;
  json: boolean;
}

export const rttCommand: CommandSpec<RttArgs> = {
  positionals: {
    a: { type: 'string', describe: 'A member name' },
    b: { type: 'string', describe: 'Another member name (default: the local agent)' },
  },
  options: {
    ...adminOption,
    json: { type: 'boolean', default: false, describe: 'Print JSON ({a, b, rttMs})' },
  },
  examples: [
    ['$0 rtt db-1', 'estimated RTT from the local agent to db-1'],
    ['$0 rtt db-1 db-2', 'estimated RTT between db-1 and db-2'],
  ],
  handler: (args) =>
    runClient('rtt', async () => {
      const b = args.b ?? (await adminCall<MemberJson>(args, 'self')).body.name;
      const { body } = await adminCall<{ name: string; coordinate: Coordinate }[]>(args, 'coordinates');
      const of = (name: string): Coordinate => {
        const row = body.find((r) => r.name === name);
        if (!row)
          throw new ClusterError(
            'ERR_NO_MEMBER',
            `no coordinate for ${JSON.stringify(name)} yet: the local agent has not heard one (unknown member, coordinates off, or not probed yet)`,
          );
        return row.coordinate;
      };
      const ca = of(String(args.a));
      const cb = of(b);
      if (!compatible(ca, cb))
        throw new ClusterError('ERR_ARGUMENT', `the coordinates of ${args.a} and ${b} have different dimensions (coordinateDimensions differs between them)`);
      const rttMs = estimateRttMs(ca, cb);
      process.stdout.write(
        args.json ? `${terminalJson({ a: args.a, b, rttMs })}\n` : `Estimated ${printable(String(args.a))} <-> ${printable(b)} rtt: ${rttMs.toFixed(3)} ms\n`,
      );
    }),
};
