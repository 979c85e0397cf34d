/** `phantom join ADDR...`: ask the local agent to join a cluster through these seeds. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { splitList } from '../agent-settings.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface JoinArgs extends AdminArgs {
  addrs: string[];
}

export const joinCommand: CommandSpec<JoinArgs> = {
  positionals: { addrs: { type: 'string', array: true, describe: 'Seed host:port (also comma lists)' } },
  options: adminOption,
  examples: [['$0 join 10.0.0.1:7946 10.0.0.2:7946', 'join through two seeds']],
  handler: (args) =>
    runClient('join', async () => {
      const addrs = splitList(args.addrs);
      const { body } = await adminCall<{ contacted: number }>(args, 'join', { body: { addrs }, timeoutMs: 120_000 });
      process.stdout.write(`joined: ${body.contacted} seed(s) answered\n`);
    }),
};
