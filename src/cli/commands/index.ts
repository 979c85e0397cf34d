/**
 * Every `phantom` command: its name and positionals, its one-line description, and where its
 * code is. A command's module is imported only when that command runs (or shows its --help), so
 * `phantom agent` never loads the simulator and `phantom members` loads neither the agent nor
 * the simulator. Add a command by adding a row here and its module beside this file.
 */
import type { CommandSpec } from './command.js';

export interface CommandEntry {
  /** yargs command string: the name, then positionals (`<required>`, `[optional]`, `..` = many). */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<CommandSpec<never>>;
}

// Each module types its own arguments; the table only needs the common shape.
const body = <A>(m: CommandSpec<A>): CommandSpec<never> => m as unknown as CommandSpec<never>;

export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'simulate',
    describe: 'Run a simulated cluster in virtual time and report convergence, detection, false positives and load',
    load: async () => body((await import('./simulate.js')).simulateCommand),
  },
  {
    command: 'demo',
    describe: 'Run a small live cluster in this process and print its member table as it changes',
    load: async () => body((await import('./demo.js')).demoCommand),
  },
  { command: 'agent', describe: 'Run a cluster agent on this host (one per host)', load: async () => body((await import('./agent.js')).agentCommand) },
  {
    command: 'members [member]',
    describe: 'List the members the local agent knows, filtered by status, tag and name (or one member, with --history)',
    load: async () => body((await import('./members.js')).membersCommand),
  },
  {
    command: 'join <addrs..>',
    describe: 'Make the local agent join a cluster through one or more seeds',
    load: async () => body((await import('./join.js')).joinCommand),
  },
  {
    command: 'leave',
    describe: 'Make the local agent leave the cluster gracefully and stop',
    load: async () => body((await import('./leave.js')).leaveCommand),
  },
  {
    command: 'force-leave <name>',
    describe: 'Make a failed member left everywhere (and with --prune, forgotten everywhere at once)',
    load: async () => body((await import('./force-leave.js')).forceLeaveCommand),
  },
  {
    command: 'monitor',
    describe: "Follow the local agent's log and member events as they happen, until Ctrl-C",
    load: async () => body((await import('./monitor.js')).monitorCommand),
  },
  {
    command: 'info',
    describe: 'Show the local agent: self, config, awareness score, counters',
    load: async () => body((await import('./info.js')).infoCommand),
  },
  {
    command: 'tags <action> <items..>',
    describe: "Set or delete the local agent's tags (spread by gossip with a new incarnation)",
    load: async () => body((await import('./tags.js')).tagsCommand),
  },
  {
    command: 'event <name> [payload]',
    describe: 'Send a user event to every member (each agent emits `event` and logs it)',
    load: async () => body((await import('./event.js')).eventCommand),
  },
  {
    command: 'query <name> [payload]',
    describe: 'Ask every member (or those --node/--tag pick) and print the acks and responses',
    load: async () => body((await import('./query.js')).queryCommand),
  },
  {
    command: 'lookup <key>',
    describe: "Show the members that own KEY: its shard's replicas, primary first",
    load: async () => body((await import('./lookup.js')).lookupCommand),
  },
  {
    command: 'rtt <a> [b]',
    describe: 'Estimate the round-trip time between two members (default: to the local agent) from their network coordinates',
    load: async () => body((await import('./rtt.js')).rttCommand),
  },
  {
    command: 'keygen',
    describe: 'Print a new random encryption key (base64, 32 bytes, AES-256-GCM)',
    load: async () => body((await import('./keygen.js')).keygenCommand),
  },
  {
    command: 'keys <action> [key]',
    describe: 'List, install, use (make primary) or remove an encryption key on every member',
    load: async () => body((await import('./keys.js')).keysCommand),
  },
  {
    command: 'dashboard',
    describe: "Print the agent's dashboard URL, the admin token in its #fragment (open it in a browser on this host)",
    load: async () => body((await import('./dashboard.js')).dashboardCommand),
  },
  {
    command: 'version',
    describe: 'Show the version and the protocol versions this agent speaks (also --version)',
    load: async () => body((await import('./version.js')).versionCommand),
  },
];

/** The command's name: the first word of its command string. */
export const commandName = (entry: CommandEntry): string => entry.command.split(' ')[0]!;
