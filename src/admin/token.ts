/**
 * The admin API's bearer token: where `phantom agent` gets it, where it leaves it, and how the
 * other `phantom` commands find it, so that an operator on the host never has to handle it.
 *
 * The agent's token, in order:
 * 1. `--admin-token` / PHANTOM_ADMIN_TOKEN / `adminToken` in the config file;
 * 2. with `--data-dir`: `<data dir>/admin-token`, created (random, 0600) at the first start and
 *    kept across restarts;
 * 3. otherwise a fresh random token for this run.
 * It then publishes the token in force to `<runtime dir>/admin-<port>.token` (0600, in a 0700
 * directory of this user), keyed by the admin port so that several agents on one host do not
 * clash, and removes that file when it stops.
 *
 * A command finds the token, in order: `--token`, PHANTOM_ADMIN_TOKEN, `--token-file` /
 * PHANTOM_ADMIN_TOKEN_FILE; then, only when `--admin` is a loopback address (a token found on
 * this host is never sent to another one): the published file for that port, and
 * `<PHANTOM_DATA_DIR>/admin-token`.
 *
 * The runtime dir is PHANTOM_RUNTIME_DIR, else $XDG_RUNTIME_DIR/phantom, else ~/.phantom. Errors
 * never quote a token file's content.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClusterError } from '../errors.js';
import { parseHostPort } from '../transport/address.js';
import { ensurePrivateDir, writePrivateFileAtomic } from '../agent/private-file.js';
import { isLoopbackHost } from './request-guard.js';

/** Shortest token accepted (characters). */
export const MIN_TOKEN_LENGTH = 16;
/** The token's file name inside --data-dir. */
export const DATA_DIR_TOKEN_FILE = 'admin-token';

/** A new random token: 32 bytes, base64url (43 characters, safe in a header and a URL fragment). */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Why `token` cannot be a bearer token, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `use at least ${MIN_TOKEN_LENGTH} characters (e.g. phantom keygen output)`;
  if (!/^[\x21-\x7e]+$/.test(token)) return 'use printable ASCII without spaces (it travels in an HTTP header)';
  return undefined;
}

/** `<dataDir>/admin-token`. */
export function dataDirTokenPath(dataDir: string): string {
  return join(dataDir, DATA_DIR_TOKEN_FILE);
}

/** Where published tokens live for this user. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHANTOM_RUNTIME_DIR) return env.PHANTOM_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'phantom');
  return join(homedir(), '.phantom');
}

/** The published token file of the agent whose admin API listens on `port`. */
export function publishedTokenPath(port: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), `admin-${port}.token`);
}

/** Read a token file; ERR_CONFIG naming the file (never its content) when missing or malformed. */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ClusterError(
      'ERR_CONFIG',
      `admin token file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message}`,
    );
  }
  const token = text.trim();
  const problem = tokenProblem(token);
  if (problem) throw new ClusterError('ERR_CONFIG', `admin token file ${path}: not a usable token (${problem})`);
  return token;
}

/** Where the agent's token came from, for its start-up log line. */
export type AgentTokenSource = 'configured' | 'data-dir' | 'generated';

export interface AgentToken {
  readonly token: string;
  readonly source: AgentTokenSource;
  /** The file that keeps it across restarts (data-dir source only). */
  readonly file: string | undefined;
}

/**
 * The token `phantom agent` requires: the configured one, else the data dir's (created at the
 * first start), else a fresh one. Throws ERR_CONFIG for a data-dir token file that is not a token.
 */
export function agentAdminToken(configured: string | undefined, dataDir: string | undefined): AgentToken {
  if (configured !== undefined) return { token: configured, source: 'configured', file: undefined };
  if (dataDir === undefined) return { token: generateAdminToken(), source: 'generated', file: undefined };
  const file = dataDirTokenPath(dataDir);
  let exists = true;
  try {
    lstatSync(file);
  } catch {
    exists = false;
  }
  if (exists) return { token: readTokenFile(file), source: 'data-dir', file };
  const token = generateAdminToken();
  writePrivateFileAtomic(file, `${token}\n`);
  return { token, source: 'data-dir', file };
}

/**
 * Publish `token` for the commands on this host; returns the file. Throws when the runtime dir
 * cannot be made, or is not this user's own (another user could swap the file).
 */
export function publishToken(port: number, token: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = runtimeDir(env);
  ensurePrivateDir(dir);
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (${uid})`);
  if (uid !== undefined && (st.mode & 0o022) !== 0) throw new Error(`${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)}); make it 0700`);
  const path = publishedTokenPath(port, env);
  writePrivateFileAtomic(path, `${token}\n`);
  return path;
}

/** Remove a published token file if it still holds `token` (another agent may have taken the port since). */
export function unpublishToken(path: string, token: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === token) unlinkSync(path);
  } catch {
    // gone already
  }
}

/** What a command was told about the token. */
export interface TokenSources {
  /** --token */
  readonly token?: string | undefined;
  /** --token-file */
  readonly tokenFile?: string | undefined;
}

/**
 * The token a command sends to the admin API at `admin`, or undefined when none is found (the
 * agent then answers 401, saying what to set). Throws ERR_CONFIG for a named token file that
 * cannot be read.
 */
export function findAdminToken(admin: string, given: TokenSources = {}, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (given.token) return given.token;
  if (env.PHANTOM_ADMIN_TOKEN) return env.PHANTOM_ADMIN_TOKEN;
  const file = given.tokenFile || env.PHANTOM_ADMIN_TOKEN_FILE;
  if (file) return readTokenFile(file);
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(admin, 'admin', { host: '127.0.0.1', port: 7947 });
  } catch {
    return undefined;
  }
  if (!isLoopbackHost(hp.host)) return undefined;
  for (const path of [publishedTokenPath(hp.port, env), ...(env.PHANTOM_DATA_DIR ? [dataDirTokenPath(env.PHANTOM_DATA_DIR)] : [])]) {
    try {
      return readTokenFile(path);
    } catch {
      // not there, or not ours to read: try the next place
    }
  }
  return undefined;
}
