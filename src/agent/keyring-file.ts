/**
 * The keyring file (`--keyring FILE`, or `keyring.json` in `--data-dir`): a JSON array of base64
 * keys, primary first, as Serf's keyring file. Written back on every change, atomically (temp
 * file, fsync, rename) and with mode 0600: it holds the cluster's secrets.
 */
import { closeSync, chmodSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { ClusterError } from '../errors.js';
import type { KeyringView } from '../wire/keyring.js';

/** Read the keys of a keyring file, primary first; ERR_CONFIG naming the file on any problem. */
export function readKeyringFile(path: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ClusterError('ERR_CONFIG', `keyring ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((k) => typeof k === 'string')) {
    throw new ClusterError('ERR_CONFIG', `keyring ${path}: must hold a JSON array of base64 keys, primary first (e.g. ["<phantom keygen output>"])`);
  }
  return v as string[];
}

/** Whether a keyring file exists at `path`. */
export function keyringFileExists(path: string): boolean {
  return existsSync(path);
}

/** Write the keyring, primary first, atomically with mode 0600. Throws the fs error. */
export function writeKeyringFile(path: string, view: KeyringView): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(view.keys, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600); // the umask cannot widen it, but a pre-existing temp file could have
  renameSync(tmp, path);
}
