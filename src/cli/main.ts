/**
 * `phantom`: the command line. One file per command under commands/; this file only wires them.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { ClusterError } from '../errors.js';

const cli = yargs(hideBin(process.argv))
  .scriptName('phantom')
  .usage('$0 <command> [options]\n\nPeer-to-peer SWIM membership, consistent-hash ring and load balancer for PhantomDB.')
  .strict()
  .demandCommand(1, 'Name a command; see the list above.')
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .version(false)
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err, y) => {
    if (err instanceof ClusterError) {
      process.stderr.write(`phantom: ${err.message}\n`);
      process.exit(2);
    }
    if (err) throw err;
    process.stderr.write(`${y.help()}\n\nphantom: ${msg}\n`);
    process.exit(2);
  });
for (const c of commands) cli.command(c);
try {
  await cli.parseAsync();
} catch (err) {
  // Misuse gets one clear line; anything else is a bug and keeps its stack.
  if (err instanceof ClusterError) {
    process.stderr.write(`phantom: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
