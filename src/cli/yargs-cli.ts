/**
 * The full command line through yargs: --help for every command, usage errors, and every syntax
 * yargs reads. main.ts loads it only when the fast parser (fast-args.ts) declines a command line.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import type { CommandSpec } from './commands/command.js';
import { ClusterError } from '../errors.js';

/** A command's spec applied to yargs: positionals, options, examples. */
export function applySpec(y: Argv, spec: CommandSpec<never>): Argv {
  let out = y;
  for (const [name, p] of Object.entries(spec.positionals ?? {})) out = out.positional(name, { ...p, choices: p.choices ? [...p.choices] : undefined });
  for (const [name, o] of Object.entries(spec.options ?? {})) {
    const { choices, default: def, ...rest } = o;
    out = out.option(name, { ...rest, ...(choices ? { choices: [...choices] } : {}), ...('default' in o ? { default: def } : {}) });
  }
  for (const [cmd, what] of spec.examples ?? []) out = out.example(cmd, what);
  return out;
}

/** The yargs module of a table row: its builder loads the command's code first. */
function lazyCommand(entry: CommandEntry): CommandModule<object, never> {
  return {
    command: entry.command,
    describe: entry.describe,
    // yargs awaits a builder that returns a promise; its typings list only the synchronous form.
    builder: (async (y: Argv) => applySpec(y, await entry.load())) as unknown as (y: Argv) => Argv<never>,
    handler: async (args: never) => (await entry.load()).handler(args),
  };
}

/** Parse and run `argv` (without node and the script) through yargs. */
export async function runYargs(argv: readonly string[]): Promise<void> {
  const cli = yargs([...argv])
    .scriptName('phantom')
    .usage('$0 <command> [options]\n\nPeer-to-peer SWIM membership, shard map and load balancer for PhantomDB.')
    .strict()
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .option('version', { alias: 'v', type: 'boolean', describe: 'Show the version and the protocol versions (as `phantom version`)', global: false })
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
  for (const c of COMMANDS) cli.command(lazyCommand(c));
  await cli.parseAsync();
}
