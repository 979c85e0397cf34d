/** `phantom leave`: the local agent leaves the cluster gracefully (others see `left`) and stops. */
import type { Argv, CommandModule } from 'yargs';
import { adminRequest } from '../../admin/client.js';
import { runClient, withAdmin, type AdminArgs } from '../client.js';

export const leaveCommand: CommandModule<object, AdminArgs> = {
  command: 'leave',
  describe: 'Make the local agent leave the cluster gracefully and stop',
  builder: (y: Argv) => withAdmin(y.example('$0 leave', 'leave; other members see this one as left, not failed')) as unknown as Argv<AdminArgs>,
  handler: (args) =>
    runClient('leave', async () => {
      await adminRequest(args, 'POST', '/v1/leave', {}, 60_000);
      process.stdout.write('left the cluster; the agent is stopping\n');
    }),
};
