/**
 * `phantom dashboard`: print the local agent's dashboard address with the admin token in the
 * URL fragment (`/#token=...`). A browser never sends the fragment over the network; the page
 * keeps the token in that tab's session storage and wipes it from the address bar.
 */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { findAdminToken } from '../../admin/token.js';
import { formatHostPort, parseHostPort } from '../../transport/address.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

export const dashboardCommand: CommandSpec<AdminArgs> = {
  options: adminOption,
  examples: [['$0 dashboard', 'http://127.0.0.1:7947/#token=...']],
  handler: (args) =>
    runClient('dashboard', async () => {
      // Fails here, saying why, when the agent is down or the token is not its own.
      await adminCall(args, 'self', { timeoutMs: 5000 });
      const token = findAdminToken(args.admin, args);
      const hp = parseHostPort(args.admin, 'admin', { host: '127.0.0.1', port: 7947 });
      process.stdout.write(`http://${formatHostPort(hp.host, hp.port)}/${token ? `#token=${encodeURIComponent(token)}` : ''}\n`);
    }),
};
