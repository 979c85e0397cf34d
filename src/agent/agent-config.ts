/**
 * Everything an operator sets for one agent, with defaults, and one validation that names every
 * bad field at once (ERR_CONFIG). Protocol timing lives in config.ts (profiles + overrides); this
 * file is about the process: identity, addresses, logs, data directory.
 *
 * Defaults:
 * | field      | default            | meaning                                                    |
 * |------------|--------------------|------------------------------------------------------------|
 * | name       | os.hostname()      | unique in the cluster; a restart with the same name takes over |
 * | bind       | 0.0.0.0:7946       | UDP listen address                                         |
 * | advertise  | auto               | address others dial; auto = an interface address if bind is a wildcard |
 * | join       | []                 | seeds (host:port; names are resolved at join)              |
 * | profile    | lan                | protocol profile: lan, wan or local                        |
 * | protocol   | {}                 | per-field overrides of the profile                         |
 * | tags       | {}                 | metadata gossiped with this member (≤ maxTagsBytes)         |
 * | admin      | 127.0.0.1:7947     | HTTP admin API address; null disables it                   |
 * | logLevel   | info               | fatal, error, warn, info, debug, trace, silent             |
 * | dataDir    | none               | directory for the member snapshot (rejoin after restart)    |
 * | encrypt    | none               | base64 32-byte key: seal gossip with AES-256-GCM             |
 * | keyringFile| none               | JSON array of keys, primary first; written back on change (0600) |
 * | clusterLabel | none             | label carried in every packet; other labels are dropped      |
 * | verifyIncoming | true           | with keys: drop plaintext (false while turning encryption on) |
 * | verifyOutgoing | true           | with keys: seal what we send (false for the first upgrade step) |
 * | maxMembers | 16384              | member table cap against forged floods (counted drop)        |
 * | adminToken | generated          | bearer token the admin API requires; by default made by `phantom agent` (src/admin/token.ts) |
 * | adminAllowedHosts | []          | extra Host header values the admin API accepts (name or name:port) |
 * | handlers   | []                 | event handlers, `[events=]command` (handlers.ts)              |
 * | handlerTimeoutMs | 30000        | an event handler running longer is killed                    |
 * | handlerConcurrency | 4          | event handlers running at once                               |
 *
 * An admin address that is not loopback needs an explicit adminToken.
 */
import { hostname } from 'node:os';
import { isProfileName, resolveConfig, type ProfileName, type ProtocolConfig } from '../config.js';
import { ClusterError } from '../errors.js';
import type { Tags } from '../core/types.js';
import { parseHostPort } from '../transport/address.js';
import { nameProblem, tagKeyProblem, tagValueProblem } from '../wire/values.js';
import { MAX_LABEL_BYTES } from '../wire/envelope.js';
import { parseKey } from '../wire/keyring.js';
import { DEFAULT_MAX_MEMBERS } from './member-guard.js';
import { isAllowedHostEntry, isLoopbackHost } from '../admin/request-guard.js';
import { tokenProblem } from '../admin/token.js';
import { DEFAULT_HANDLER_LIMITS, parseHandlerSpec } from './handlers.js';

/** Log levels pino knows, from quietest to loudest, plus `silent`. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What callers (and the config file) may set; every field optional. */
export interface AgentConfigInput {
  name?: string;
  bind?: string;
  advertise?: string;
  join?: readonly string[];
  profile?: string;
  protocol?: Readonly<Record<string, unknown>> | Readonly<Partial<ProtocolConfig>>;
  tags?: Readonly<Record<string, unknown>>;
  admin?: string | null;
  logLevel?: string;
  dataDir?: string;
  encrypt?: string;
  keyringFile?: string;
  clusterLabel?: string;
  verifyIncoming?: boolean | string;
  verifyOutgoing?: boolean | string;
  maxMembers?: number | string;
  adminToken?: string;
  adminAllowedHosts?: readonly string[] | string;
  handlers?: readonly string[] | string;
  handlerTimeoutMs?: number | string;
  handlerConcurrency?: number | string;
}

/** A complete, checked agent configuration. */
export interface AgentConfig {
  readonly name: string;
  readonly bind: string;
  readonly advertise: string | undefined;
  readonly join: readonly string[];
  readonly profile: ProfileName;
  readonly protocol: ProtocolConfig;
  readonly tags: Tags;
  /** The admin API address; null = no admin API. Used by `phantom agent`, which opens it. */
  readonly admin: string | null;
  readonly logLevel: LogLevel;
  readonly dataDir: string | undefined;
  /** Base64 key to seal with when no keyring file exists yet. */
  readonly encrypt: string | undefined;
  /** Keyring file path (read at start, written back on change). */
  readonly keyringFile: string | undefined;
  /** Cluster label ('' = none). */
  readonly clusterLabel: string;
  readonly verifyIncoming: boolean;
  readonly verifyOutgoing: boolean;
  /** Member table cap (rows of any state). */
  readonly maxMembers: number;
  /** Bearer token for the admin API as configured; undefined = `phantom agent` makes one. */
  readonly adminToken: string | undefined;
  /** Host header values the admin API accepts besides loopback and its own address. */
  readonly adminAllowedHosts: readonly string[];
  /** Event handlers (handlers.ts, checked with parseHandlerSpec), e.g. `member-join,member-failed=./on-change.sh`. */
  readonly handlers: readonly string[];
  /** Milliseconds an event handler may run before it is killed. */
  readonly handlerTimeoutMs: number;
  /** Event handlers running at once. */
  readonly handlerConcurrency: number;
}

/** The defaults of the table above. */
export const AGENT_DEFAULTS = Object.freeze({
  bind: '0.0.0.0:7946',
  admin: '127.0.0.1:7947',
  profile: 'lan' as ProfileName,
  logLevel: 'info' as LogLevel,
});

const KNOWN = new Set([
  'name',
  'bind',
  'advertise',
  'join',
  'profile',
  'protocol',
  'tags',
  'admin',
  'logLevel',
  'dataDir',
  'encrypt',
  'keyringFile',
  'clusterLabel',
  'verifyIncoming',
  'verifyOutgoing',
  'maxMembers',
  'adminToken',
  'adminAllowedHosts',
  'handlers',
  'handlerTimeoutMs',
  'handlerConcurrency',
]);

/** A positive integer from a config value (numbers as strings from env or flags too). */
function positiveInt(v: unknown, field: string, dflt: number, problems: string[]): number {
  if (v === undefined || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) return n;
  problems.push(`${field} ${JSON.stringify(v)}: must be a positive integer`);
  return dflt;
}

/** A boolean from a config value ('true'/'false' strings from env or flags too). */
function toBool(v: unknown, field: string, dflt: boolean, problems: string[]): boolean {
  if (v === undefined || v === '') return dflt;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  problems.push(`${field} ${JSON.stringify(v)}: must be true or false`);
  return dflt;
}

/** Fill defaults and check every field; throws ERR_CONFIG listing every problem. */
export function resolveAgentConfig(input: AgentConfigInput = {}): AgentConfig {
  const problems: string[] = [];
  const check = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      problems.push(e instanceof Error ? e.message.replace(/^invalid config: /, '') : String(e));
    }
  };
  for (const key of Object.keys(input)) if (!KNOWN.has(key)) problems.push(`${key}: unknown field (known: ${[...KNOWN].join(', ')})`);

  const name = input.name ?? hostname();
  const nameWhy = nameProblem(name);
  if (nameWhy) problems.push(`name ${JSON.stringify(name)}: ${nameWhy}`);

  const bind = input.bind ?? AGENT_DEFAULTS.bind;
  check(() => parseHostPort(String(bind), 'bind', { port: 7946 }));
  const advertise = input.advertise === undefined || input.advertise === '' ? undefined : input.advertise;
  if (advertise !== undefined) check(() => parseHostPort(String(advertise), 'advertise', { port: 0 }));

  const join: string[] = [];
  if (input.join !== undefined && !Array.isArray(input.join)) problems.push('join: must be a list of host:port');
  else {
    for (const s of input.join ?? []) {
      join.push(String(s));
      check(() => parseHostPort(String(s), 'join', { port: 7946 }));
    }
  }

  const profileText = input.profile ?? AGENT_DEFAULTS.profile;
  let profile: ProfileName = 'lan';
  if (typeof profileText === 'string' && isProfileName(profileText)) profile = profileText;
  else problems.push(`profile ${JSON.stringify(profileText)}: must be lan, wan or local`);

  let protocol: ProtocolConfig | undefined;
  if (input.protocol !== undefined && (typeof input.protocol !== 'object' || input.protocol === null || Array.isArray(input.protocol)))
    problems.push('protocol: must be an object of protocol settings');
  else check(() => (protocol = resolveConfig({ ...(input.protocol ?? {}) }, profile)));

  const tags: Record<string, string> = {};
  if (input.tags !== undefined && (typeof input.tags !== 'object' || input.tags === null || Array.isArray(input.tags)))
    problems.push('tags: must be an object of string values');
  else {
    for (const [k, v] of Object.entries(input.tags ?? {})) {
      const why = tagKeyProblem(k) ?? tagValueProblem(v);
      if (why) problems.push(`tags.${tagKeyProblem(k) ? JSON.stringify(k) : k}: ${why}`);
      else tags[k] = v as string;
    }
  }

  const admin = input.admin === undefined ? AGENT_DEFAULTS.admin : input.admin;
  if (admin !== null) check(() => parseHostPort(String(admin), 'admin', { host: '127.0.0.1', port: 7947 }));

  const logLevel = input.logLevel ?? AGENT_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`logLevel ${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const dataDir = input.dataDir === undefined || input.dataDir === '' ? undefined : input.dataDir;
  if (dataDir !== undefined && typeof dataDir !== 'string') problems.push('dataDir: must be a directory path');

  const encrypt = input.encrypt === undefined || input.encrypt === '' ? undefined : String(input.encrypt);
  if (encrypt !== undefined) check(() => parseKey(encrypt));
  const keyringFile = input.keyringFile === undefined || input.keyringFile === '' ? undefined : String(input.keyringFile);
  const clusterLabel = input.clusterLabel === undefined ? '' : String(input.clusterLabel);
  if (Buffer.byteLength(clusterLabel) > MAX_LABEL_BYTES) problems.push(`clusterLabel: at most ${MAX_LABEL_BYTES} bytes`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
  else if (/[\u0000-\u001f]/.test(clusterLabel)) problems.push('clusterLabel: must not contain control characters');
  const verifyIncoming = toBool(input.verifyIncoming, 'verifyIncoming', true, problems);
  const verifyOutgoing = toBool(input.verifyOutgoing, 'verifyOutgoing', true, problems);
  const maxMembers = input.maxMembers === undefined || input.maxMembers === '' ? DEFAULT_MAX_MEMBERS : Number(input.maxMembers);
  if (!Number.isInteger(maxMembers) || maxMembers < 2) problems.push(`maxMembers ${JSON.stringify(input.maxMembers)}: must be an integer >= 2`);
  const adminToken = input.adminToken === undefined || input.adminToken === '' ? undefined : String(input.adminToken);
  const tokenWhy = adminToken === undefined ? undefined : tokenProblem(adminToken);
  if (tokenWhy) problems.push(`adminToken: ${tokenWhy}`);
  if (admin !== null && adminToken === undefined) {
    try {
      const host = parseHostPort(String(admin), 'admin', { host: '127.0.0.1', port: 7947 }).host;
      if (!isLoopbackHost(host))
        problems.push(
          `admin ${JSON.stringify(admin)}: an admin API reachable from other hosts needs adminToken (--admin-token or PHANTOM_ADMIN_TOKEN); or keep admin on 127.0.0.1 and tunnel to it`,
        );
    } catch {
      // already named above
    }
  }
  const allowedInput = input.adminAllowedHosts ?? [];
  const adminAllowedHosts: string[] = [];
  if (typeof allowedInput !== 'string' && !Array.isArray(allowedInput)) problems.push('adminAllowedHosts: must be a list of host or host:port');
  else {
    for (const h of typeof allowedInput === 'string' ? allowedInput.split(',') : allowedInput) {
      const t = String(h).trim();
      if (t === '') continue;
      if (isAllowedHostEntry(t)) adminAllowedHosts.push(t);
      else problems.push(`adminAllowedHosts ${JSON.stringify(t)}: expected a host name or IP, optionally :port (e.g. phantom-1.internal or localhost:8000)`);
    }
  }

  const handlers: string[] = [];
  const handlersInput = input.handlers ?? [];
  if (typeof handlersInput !== 'string' && !Array.isArray(handlersInput)) problems.push('handlers: must be a list of [events=]command');
  else
    for (const h of typeof handlersInput === 'string' ? [handlersInput] : handlersInput)
      check(() => {
        parseHandlerSpec(String(h));
        handlers.push(String(h));
      });
  const handlerTimeoutMs = positiveInt(input.handlerTimeoutMs, 'handlerTimeoutMs', DEFAULT_HANDLER_LIMITS.timeoutMs, problems);
  const handlerConcurrency = positiveInt(input.handlerConcurrency, 'handlerConcurrency', DEFAULT_HANDLER_LIMITS.concurrency, problems);

  if (problems.length > 0) throw new ClusterError('ERR_CONFIG', `invalid agent config: ${problems.join('; ')}`);
  return Object.freeze({
    name,
    bind,
    advertise,
    join: Object.freeze(join),
    profile,
    protocol: protocol!,
    tags: Object.freeze(tags),
    admin,
    logLevel: logLevel as LogLevel,
    dataDir,
    encrypt,
    keyringFile,
    clusterLabel,
    verifyIncoming,
    verifyOutgoing,
    maxMembers,
    adminToken,
    adminAllowedHosts: Object.freeze(adminAllowedHosts),
    handlers: Object.freeze(handlers),
    handlerTimeoutMs,
    handlerConcurrency,
  });
}
