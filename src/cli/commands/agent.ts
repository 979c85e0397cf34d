/**
 * `phantom agent`: run one agent on this host, the way `serf agent` is run. Starts the agent,
 * opens the admin API, joins (seeds and, with --data-dir, the members remembered from the last
 * run), then runs until a signal:
 * - SIGINT / SIGTERM: graceful leave (bounded by leaveTimeoutMs), exit 0; a second one exits at once.
 * - SIGHUP: re-read --config and apply its log level and tags without a restart.
 */
import type { CommandSpec } from './command.js';
import { createAgent, type Agent } from '../../agent/agent.js';
import { resolveAgentConfig, LOG_LEVELS } from '../../agent/agent-config.js';
import { startAdminServer, type AdminServer } from '../../admin/server.js';
import { agentAdminToken, publishToken, unpublishToken } from '../../admin/token.js';
import { ClusterError } from '../../errors.js';
import { adminDepsFor } from '../agent-admin.js';
import { attachHandlers, attachMessageHandlers, parseHandlerSpec } from '../../agent/handlers.js';
import { configPath, mergeAgentSettings, readConfigFile, type AgentFlags } from '../agent-settings.js';

export const agentCommand: CommandSpec<AgentFlags> = {
  options: {
    name: { type: 'string', describe: 'Unique member name [default: hostname] (PHANTOM_NAME)' },
    bind: { type: 'string', describe: 'UDP address to listen on, host:port [default: 0.0.0.0:7946] (PHANTOM_BIND)' },
    advertise: { type: 'string', describe: 'Address others dial, host:port [default: auto from the interfaces] (PHANTOM_ADVERTISE)' },
    join: { type: 'string', array: true, describe: 'Seed host:port to join through; repeatable or a comma list (PHANTOM_JOIN)' },
    profile: { type: 'string', choices: ['lan', 'wan', 'local'], describe: 'Protocol profile [default: lan] (PHANTOM_PROFILE)' },
    tag: { type: 'string', array: true, describe: 'Tag key=value gossiped with this member; repeatable (PHANTOM_TAG, comma list)' },
    admin: { type: 'string', describe: 'Admin HTTP API host:port, or "off" [default: 127.0.0.1:7947] (PHANTOM_ADMIN)' },
    config: { type: 'string', describe: 'JSON config file (fields as in docs/AGENT.md); flags and env win (PHANTOM_CONFIG)' },
    'log-level': { type: 'string', choices: LOG_LEVELS, describe: 'Log level [default: info] (PHANTOM_LOG_LEVEL)' },
    'data-dir': { type: 'string', describe: 'Directory for the member snapshot, to rejoin after a restart (PHANTOM_DATA_DIR)' },
    set: { type: 'string', array: true, describe: 'Protocol override key=value, repeatable, e.g. --set suspicionMult=5 (PHANTOM_SET)' },
    encrypt: { type: 'string', describe: 'Base64 32-byte key (phantom keygen): seal gossip with AES-256-GCM (PHANTOM_ENCRYPT)' },
    keyring: { type: 'string', describe: 'Keyring file, JSON array of keys, primary first; written back on change, mode 0600 (PHANTOM_KEYRING)' },
    'cluster-label': { type: 'string', describe: 'Label carried in every packet; agents with another label never merge (PHANTOM_CLUSTER_LABEL)' },
    'verify-incoming': {
      type: 'boolean',
      default: undefined,
      describe: 'With keys: drop plaintext packets [default: true]; false while turning encryption on (PHANTOM_VERIFY_INCOMING)',
    },
    'verify-outgoing': {
      type: 'boolean',
      default: undefined,
      describe: 'With keys: seal outgoing packets [default: true]; false for the first upgrade step (PHANTOM_VERIFY_OUTGOING)',
    },
    'max-members': { type: 'number', describe: 'Member table cap against forged floods [default: 16384] (PHANTOM_MAX_MEMBERS)' },
    'admin-token': {
      type: 'string',
      describe:
        'Bearer token the admin API requires [default: DATA_DIR/admin-token, else a new one each start; phantom commands on this host find it] (PHANTOM_ADMIN_TOKEN)',
    },
    handler: {
      type: 'string',
      array: true,
      describe:
        'Run a script on events: [EVENTS=]COMMAND, EVENTS a comma list of member-join, member-leave, member-failed, member-update, member-suspect, member-alive, user[:NAME], query[:NAME], *; repeatable (docs/AGENT.md, Event handlers)',
    },
    'handler-timeout-ms': { type: 'number', describe: 'Kill an event handler running longer than this [default: 30000] (PHANTOM_HANDLER_TIMEOUT_MS)' },
    'admin-allowed-host': {
      type: 'string',
      array: true,
      describe: 'Extra Host name[:port] the admin API answers to (a proxy, a tunnel to another port); repeatable (PHANTOM_ADMIN_ALLOWED_HOSTS)',
    },
  },
  examples: [
    ['$0 agent --join 10.0.0.1:7946', 'join a cluster through one seed'],
    ['$0 agent --bind 127.0.0.1:7000 --admin 127.0.0.1:7001 --profile local', 'a second agent on a laptop'],
    ['$0 agent --config /etc/phantom.json --data-dir /var/lib/phantom --tag zone=eu-1', 'from a file, remembering members across restarts'],
    ['$0 agent --encrypt $(phantom keygen) --cluster-label prod-eu', 'encrypted gossip in a labelled cluster'],
    ['$0 agent --handler member-join,member-failed=./on-change.sh', 'run a script when members join or fail'],
  ],
  handler: async (flags) => {
    const out = (s: string): void => void process.stderr.write(`phantom agent: ${s}\n`);
    let agent: Agent | undefined;
    let admin: AdminServer | undefined;
    let published: { path: string; token: string } | undefined;
    const unpublish = (): void => void (published && unpublishToken(published.path, published.token));
    try {
      const path = configPath(flags, process.env);
      const config = resolveAgentConfig(mergeAgentSettings(flags, process.env, path ? readConfigFile(path) : {}));
      agent = await createAgent(config);
      const a = agent;
      // Member events by attachHandlers; user events and named queries by attachMessageHandlers.
      const specs = config.handlers.map(parseHandlerSpec);
      const handlers = attachHandlers(a, specs, { timeoutMs: config.handlerTimeoutMs, concurrency: config.handlerConcurrency });
      const detachMessages = attachMessageHandlers(a, handlers.runner, specs);
      if (handlers.runner.size > 0)
        a.log.info({ handlers: config.handlers, timeoutMs: config.handlerTimeoutMs, concurrency: config.handlerConcurrency }, 'event handlers ready');
      let stopping = false;
      const stop = async (code: number, graceful: boolean): Promise<never> => {
        if (graceful) await a.leave();
        detachMessages();
        handlers.stop();
        await a.shutdown();
        await admin?.close();
        unpublish();
        process.exit(code);
      };
      const onSignal = (sig: NodeJS.Signals): void => {
        if (stopping) {
          a.log.warn({ signal: sig }, 'second signal: exiting at once');
          handlers.stop();
          unpublish();
          process.exit(1);
        }
        stopping = true;
        a.log.info({ signal: sig }, 'signal: leaving gracefully (send it again to exit at once)');
        void stop(0, true);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('SIGHUP', () => reload(a, flags));
      if (config.admin !== null) {
        const token = wrapTokenError(() => agentAdminToken(config.adminToken, config.dataDir));
        admin = await startAdminServer(
          config.admin,
          adminDepsFor(
            a,
            async () => {
              await a.leave();
              stopping = true;
              // Answer the request first, then stop the process.
              setTimeout(() => void stop(0, false), 50);
            },
            () => ({
              handlers: { specs: config.handlers, timeoutMs: config.handlerTimeoutMs, concurrency: config.handlerConcurrency, ...handlers.runner.counts },
            }),
          ),
          { token: token.token, allowedHosts: config.adminAllowedHosts },
        );
        const port = Number(admin.address.slice(admin.address.lastIndexOf(':') + 1));
        try {
          published = { path: publishToken(port, token.token), token: token.token };
        } catch (e) {
          a.log.warn(
            { error: (e as Error).message },
            'cannot publish the admin token for the phantom commands on this host; give it to them with PHANTOM_ADMIN_TOKEN',
          );
          // With no file anywhere, this is the operator's only way to learn it: once, on stderr, never in the log.
          if (token.file === undefined && token.source === 'generated')
            out(`admin token for this run (give it to phantom commands as PHANTOM_ADMIN_TOKEN): ${token.token}`);
        }
        a.log.info(
          { admin: admin.address, dashboard: `http://${admin.address}/`, token: token.source, tokenFile: token.file, tokenPublished: published?.path },
          'admin API listening',
        );
      }
      const remembered = a.restoredFrom ? a.restoredFrom.members.length > 1 : false;
      if (config.join.length > 0 || remembered) {
        try {
          await a.join(config.join);
        } catch (e) {
          if (!remembered) throw e;
          a.log.warn({ error: (e as Error).message }, 'no seed or remembered member answered yet; the agent keeps re-dialling them');
        }
      }
    } catch (e) {
      await agent?.shutdown().catch(() => {});
      await admin?.close().catch(() => {});
      unpublish();
      out(e instanceof Error ? e.message : String(e));
      process.exit(e instanceof ClusterError && (e.code === 'ERR_CONFIG' || e.code === 'ERR_ARGUMENT') ? 2 : 1);
    }
  },
};

/** A data-dir token file that cannot be read or written stops the start as a config problem. */
function wrapTokenError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ClusterError) throw e;
    throw new ClusterError('ERR_CONFIG', `admin token: ${(e as Error).message}`);
  }
}

/** SIGHUP: re-read the config file; apply what can change live (log level, tags). */
function reload(agent: Agent, flags: AgentFlags): void {
  const path = configPath(flags, process.env);
  if (!path) return void agent.log.warn({}, 'SIGHUP: no --config file to reload');
  try {
    const next = resolveAgentConfig(mergeAgentSettings(flags, process.env, readConfigFile(path)));
    agent.setLogLevel(next.logLevel);
    if (JSON.stringify(next.tags) !== JSON.stringify(agent.self().tags)) agent.setTags(next.tags);
    agent.log.info({ config: path, logLevel: next.logLevel, tags: next.tags }, 'SIGHUP: config reloaded (other changes need a restart)');
  } catch (e) {
    agent.log.error({ config: path, error: (e as Error).message }, 'SIGHUP: config not reloaded; the running one stays');
  }
}
