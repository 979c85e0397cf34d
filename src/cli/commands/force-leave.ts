/** `phantom force-leave NAME [--prune]`: a failed member becomes left everywhere (Serf's force-leave). */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import type { MemberJson } from '../../admin/server.js';
import { printable } from '../escape.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface ForceLeaveArgs extends AdminArgs {
  name: string;
  prune: boolean;
}

export const forceLeaveCommand: CommandSpec<ForceLeaveArgs> = {
  positionals: { name: { type: 'string', describe: 'The failed member' } },
  options: {
    ...adminOption,
    prune: { type: 'boolean', default: false, describe: 'Also forget it at once, here and on every agent that holds it failed' },
  },
  examples: [
    ['$0 force-leave db-7', 'db-7 is gone for good: show it left, stop reconnecting to it'],
    ['$0 force-leave db-7 --prune', 'and drop it from every table now'],
  ],
  handler: (args) =>
    runClient('force-leave', async () => {
      const { body } = await adminCall<MemberJson & { pruned: boolean }>(args, 'forceLeave', { body: { name: args.name, prune: args.prune } });
      process.stdout.write(
        `${printable(body.name)} is left at incarnation ${body.incarnation}${body.pruned ? ' and forgotten here' : ''}; the news spreads by gossip${body.pruned ? ' (the others forget it as they hear it)' : ''}\n`,
      );
    }),
};
