/** `phantom leave`: the local agent leaves the cluster gracefully (others see `left`) and stops. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

export const leaveCommand: CommandSpec<AdminArgs> = {
  options: adminOption,
  examples: [['$0 leave', 'leave; other members see this one as left, not failed']],
  handler: (args) =>
    runClient('leave', async () => {
      await adminCall(args, 'leave', { timeoutMs: 60_000 });
      process.stdout.write('left the cluster; the agent is stopping\n');
    }),
};
