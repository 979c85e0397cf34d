/**
 * The agent's keys from its config: which keyring to hold and where to keep it. The envelope
 * every datagram goes through is built by the composition root (node.ts) from these keys and the
 * label.
 *
 * Keyring source, as Serf: an existing keyring file wins (it holds the rotations done since the
 * first start); else `--encrypt KEY` starts a keyring of one key, written to the file if one is
 * named (`--keyring FILE`, or `keyring.json` in `--data-dir`); else no encryption. Every change
 * (phantom keys) is written back to the file, mode 0600.
 */
import { join } from 'node:path';
import { ClusterError } from '../errors.js';
import { Keyring } from '../wire/keyring.js';
import type { AgentConfig } from './agent-config.js';
import { keyringFileExists, readKeyringFile, writeKeyringFile } from './keyring-file.js';

export interface AgentSecurity {
  readonly keyring: Keyring | undefined;
  /** Where the keyring is kept, if anywhere. */
  readonly keyringPath: string | undefined;
  /** Where the keys came from, for the start-up log line. */
  readonly source: 'keyring-file' | 'encrypt' | 'none';
}

/** The keyring path in force: --keyring, else keyring.json in the data dir when encrypting. */
export function keyringPathOf(config: AgentConfig): string | undefined {
  if (config.keyringFile) return config.keyringFile;
  if (config.dataDir && (config.encrypt || keyringFileExists(join(config.dataDir, 'keyring.json')))) return join(config.dataDir, 'keyring.json');
  return undefined;
}

/**
 * Load the keyring. `onWriteError` hears a failed write-back (the agent runs on with the new keys
 * in memory). Throws ERR_CONFIG for an unreadable file or a --keyring file that does not exist
 * with no --encrypt to start it.
 */
export function setupSecurity(config: AgentConfig, onWriteError: (e: Error) => void): AgentSecurity {
  const path = keyringPathOf(config);
  let keyring: Keyring | undefined;
  let source: AgentSecurity['source'] = 'none';
  if (path && keyringFileExists(path)) {
    keyring = wrapConfig(() => new Keyring(readKeyringFile(path)), path);
    source = 'keyring-file';
  } else if (config.encrypt) {
    keyring = new Keyring([config.encrypt]);
    source = 'encrypt';
    if (path) wrapConfig(() => writeKeyringFile(path, keyring!.view()), path);
  } else if (config.keyringFile) {
    throw new ClusterError('ERR_CONFIG', `keyring ${config.keyringFile} does not exist; create it with --encrypt KEY (from phantom keygen) on the first start`);
  }
  if (keyring && path) {
    keyring.onChange((view) => {
      try {
        writeKeyringFile(path, view);
      } catch (e) {
        onWriteError(e as Error);
      }
    });
  }
  return { keyring, keyringPath: path, source };
}

function wrapConfig<T>(fn: () => T, path: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ClusterError && e.code === 'ERR_CONFIG') throw e;
    throw new ClusterError('ERR_CONFIG', `keyring ${path}: ${(e as Error).message}`);
  }
}
