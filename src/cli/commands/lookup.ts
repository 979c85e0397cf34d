/** `phantom lookup KEY`: which members own a key (the local agent's shard map, as `cluster.lookup`). */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { printable, terminalJson } from '../escape.js';
import { ClusterError } from '../../errors.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface LookupArgs extends AdminArgs {
  key: string;
  n: number;
  json: boolean;
  near: boolean;
}

export const lookupCommand: CommandSpec<LookupArgs> = {
  positionals: { key: { type: 'string', describe: 'The key' } },
  options: {
    ...adminOption,
    n: { type: 'number', default: 3, describe: 'Owners to list (replicas)' },
    json: { type: 'boolean', default: false, describe: 'Print JSON' },
    near: { type: 'boolean', default: false, describe: 'Order the owners by estimated RTT from the local agent (network coordinates), nearest first' },
  },
  examples: [
    ['$0 lookup user:42 --n 3', 'three owners of user:42'],
    ['$0 lookup user:42 --n 3 --near', 'the same owners, nearest first'],
  ],
  handler: (args) =>
    runClient('lookup', async () => {
      if (!Number.isInteger(args.n) || args.n < 1 || args.n > 64) throw new ClusterError('ERR_ARGUMENT', `--n must be an integer from 1 to 64, got ${args.n}`);
      const { body } = await adminCall<{ key: string; owners: string[] }>(args, 'lookup', {
        query: { key: String(args.key), n: args.n, near: args.near ? 1 : undefined },
      });
      process.stdout.write(args.json ? `${terminalJson(body)}\n` : `${body.owners.map(printable).join('\n')}\n`);
    }),
};
