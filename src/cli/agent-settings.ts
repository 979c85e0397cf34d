/**
 * Where `phantom agent` gets its settings: flags win over PHANTOM_* environment variables, which
 * win over the --config JSON file, which wins over the defaults (agent-config.ts). Tags and
 * protocol overrides merge per key in the same order. A pure function of its inputs, so SIGHUP
 * can run it again with a re-read file.
 *
 * Why not yargs' own `.env('PHANTOM')` and `.config('config')`:
 * - The agent's command line is parsed without yargs (fast-args.ts with node:util parseArgs;
 *   yargs is loaded only for --help and usage errors: it cost ~100 ms and ~11 MiB per start,
 *   bench/STARTUP.md; test/cli/lean.test.ts keeps it out).
 *   Layering inside yargs would leave the fast path with a second copy of it; here both paths
 *   hand their flags to this one function.
 * - The file is the embedder's AgentConfigInput (nested `tags` and `protocol` objects,
 *   `keyringFile`, `handlers`), not a flat list of flag names, and tags and protocol overrides
 *   merge per key across file, env and flags; yargs' layers replace a whole value.
 * - SIGHUP re-reads the file and runs the merge again on the same flags and env; yargs reads
 *   its config file once, while parsing.
 * - Env lists are comma lists (PHANTOM_JOIN, PHANTOM_TAG, PHANTOM_SET), and a broken file is an
 *   ERR_CONFIG naming it; yargs' env and config layers do neither.
 */
import type { AgentConfigInput } from '../agent/agent-config.js';
import { ClusterError } from '../errors.js';
import { readJsonFile } from '../runtime/json-file.js';
import { parseOverrides } from './overrides.js';

/** The agent command's flags as yargs gives them (undefined = not given). */
export interface AgentFlags {
  name?: string;
  bind?: string;
  advertise?: string;
  join?: readonly string[];
  profile?: string;
  tag?: readonly string[];
  admin?: string;
  config?: string;
  logLevel?: string;
  dataDir?: string;
  set?: readonly string[];
  encrypt?: string;
  keyring?: string;
  clusterLabel?: string;
  verifyIncoming?: boolean;
  verifyOutgoing?: boolean;
  maxMembers?: number;
  adminToken?: string;
  adminAllowedHost?: readonly string[];
  handler?: readonly string[];
  handlerTimeoutMs?: number;
}

/** Split repeatable values that may also be comma lists: `--join a --join b,c`. */
export function splitList(values: readonly string[] | string | undefined): string[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  return list
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `k=v` items into tags; the value may contain `=`. */
export function parseTags(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new ClusterError('ERR_ARGUMENT', `${flag} ${JSON.stringify(item)}: expected key=value, e.g. ${flag} zone=eu-1`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** The config file named by flags or env, or undefined. */
export function configPath(flags: AgentFlags, env: NodeJS.ProcessEnv): string | undefined {
  return flags.config ?? (env.PHANTOM_CONFIG || undefined);
}

/** Read and parse the JSON config file; ERR_CONFIG naming the file on any problem. */
export function readConfigFile(path: string): AgentConfigInput {
  const v = readJsonFile(path, { code: 'ERR_CONFIG', label: `--config ${path}` });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ClusterError('ERR_CONFIG', `--config ${path}: must hold a JSON object`);
  const o = { ...(v as Record<string, unknown>) };
  if (typeof o.join === 'string') o.join = splitList(o.join);
  return o as AgentConfigInput;
}

/** Merge file < env < flags into one config input (validated later by resolveAgentConfig). */
export function mergeAgentSettings(flags: AgentFlags, env: NodeJS.ProcessEnv, file: AgentConfigInput = {}): AgentConfigInput {
  const pick = (flag: string | undefined, envName: string, fileValue: string | null | undefined): string | null | undefined =>
    flag ?? (env[envName] || undefined) ?? fileValue;
  const envJoin = splitList(env.PHANTOM_JOIN);
  const flagJoin = splitList(flags.join);
  const join = flagJoin.length > 0 ? flagJoin : envJoin.length > 0 ? envJoin : file.join;
  const tags = { ...(file.tags ?? {}), ...parseTags(splitList(env.PHANTOM_TAG), 'PHANTOM_TAG'), ...parseTags(splitList(flags.tag), '--tag') };
  const protocol = { ...(file.protocol ?? {}), ...parseOverrides(splitList(env.PHANTOM_SET), 'PHANTOM_SET'), ...parseOverrides(flags.set ?? [], '--set') };
  const admin = pick(flags.admin, 'PHANTOM_ADMIN', file.admin);
  const out: AgentConfigInput = { ...file, tags, protocol };
  const set = (key: keyof AgentConfigInput, value: unknown): void => {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  };
  set('name', pick(flags.name, 'PHANTOM_NAME', file.name));
  set('bind', pick(flags.bind, 'PHANTOM_BIND', file.bind));
  set('advertise', pick(flags.advertise, 'PHANTOM_ADVERTISE', file.advertise));
  set('join', join);
  set('profile', pick(flags.profile, 'PHANTOM_PROFILE', file.profile));
  set('admin', admin === 'off' || admin === 'none' ? null : admin);
  set('logLevel', pick(flags.logLevel, 'PHANTOM_LOG_LEVEL', file.logLevel));
  set('dataDir', pick(flags.dataDir, 'PHANTOM_DATA_DIR', file.dataDir));
  set('encrypt', pick(flags.encrypt, 'PHANTOM_ENCRYPT', file.encrypt));
  set('keyringFile', pick(flags.keyring, 'PHANTOM_KEYRING', file.keyringFile));
  set('clusterLabel', pick(flags.clusterLabel, 'PHANTOM_CLUSTER_LABEL', file.clusterLabel));
  set('adminToken', pick(flags.adminToken, 'PHANTOM_ADMIN_TOKEN', file.adminToken));
  const flagHosts = splitList(flags.adminAllowedHost);
  const envHosts = splitList(env.PHANTOM_ADMIN_ALLOWED_HOSTS);
  set('adminAllowedHosts', flagHosts.length > 0 ? flagHosts : envHosts.length > 0 ? envHosts : file.adminAllowedHosts);
  const pickAny = (flag: unknown, envName: string, fileValue: unknown): unknown => flag ?? (env[envName] || undefined) ?? fileValue;
  set('verifyIncoming', pickAny(flags.verifyIncoming, 'PHANTOM_VERIFY_INCOMING', file.verifyIncoming));
  set('verifyOutgoing', pickAny(flags.verifyOutgoing, 'PHANTOM_VERIFY_OUTGOING', file.verifyOutgoing));
  set('maxMembers', pickAny(flags.maxMembers, 'PHANTOM_MAX_MEMBERS', file.maxMembers));
  // One handler per flag, never split on commas: the filter list has them (`member-join,member-failed=./x.sh`).
  set('handlers', flags.handler && flags.handler.length > 0 ? flags.handler.map(String) : file.handlers);
  set('handlerTimeoutMs', pickAny(flags.handlerTimeoutMs, 'PHANTOM_HANDLER_TIMEOUT_MS', file.handlerTimeoutMs));
  return out;
}
