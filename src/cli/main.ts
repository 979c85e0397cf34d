#!/usr/bin/env node
/**
 * `phantom`: the command line. Each command is a module under commands/, imported only when it
 * runs. A plain command line is parsed without yargs (fast-args.ts), so `phantom agent` loads
 * only the agent and `phantom members` only an HTTP client; --help, usage errors and anything
 * unusual go through yargs (yargs-cli.ts).
 */
import { COMMANDS, commandName } from './commands/index.js';
import { parseFast } from './fast-args.js';
import { ClusterError } from '../errors.js';

const argv = process.argv.slice(2);
// `phantom --version` is `phantom version`, as with serf.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) argv[0] = 'version';

try {
  const entry = COMMANDS.find((c) => commandName(c) === argv[0]);
  const spec = entry ? await entry.load() : undefined;
  const args = entry && spec ? parseFast(entry.command, spec, argv.slice(1)) : undefined;
  if (spec && args) await spec.handler(args as never);
  else await (await import('./yargs-cli.js')).runYargs(argv);
} catch (err) {
  // Misuse gets one clear line; anything else is a bug and keeps its stack.
  if (err instanceof ClusterError) {
    process.stderr.write(`phantom: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
