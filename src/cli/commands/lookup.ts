/** `phantom lookup KEY`: which members own a key on the local agent's consistent-hash ring. */
import type { Argv, CommandModule } from 'yargs';
import { adminRequest } from '../../admin/client.js';
import { printable, terminalJson } from '../escape.js';
import { ClusterError } from '../../errors.js';
import { runClient, withAdmin, type AdminArgs } from '../client.js';

interface LookupArgs extends AdminArgs {
  key: string;
  n: number;
  json: boolean;
}

export const lookupCommand: CommandModule<object, LookupArgs> = {
  command: 'lookup <key>',
  describe: 'Show the members that own KEY on the ring (primary first)',
  builder: (y: Argv) =>
    withAdmin(
      y
        .positional('key', { type: 'string', describe: 'The key' })
        .option('n', { type: 'number', default: 3, describe: 'Owners to list (replicas)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
        .example('$0 lookup user:42 --n 3', 'three owners of user:42'),
    ) as unknown as Argv<LookupArgs>,
  handler: (args) =>
    runClient('lookup', async () => {
      if (!Number.isInteger(args.n) || args.n < 1 || args.n > 64) throw new ClusterError('ERR_ARGUMENT', `--n must be an integer from 1 to 64, got ${args.n}`);
      const { body } = await adminRequest<{ key: string; owners: string[] }>(args, 'GET', `/v1/lookup?key=${encodeURIComponent(String(args.key))}&n=${args.n}`);
      process.stdout.write(args.json ? `${terminalJson(body)}\n` : `${body.owners.map(printable).join('\n')}\n`);
    }),
};
