/**
 * The keyring file (`--keyring FILE`, or `keyring.json` in `--data-dir`): a JSON array of base64
 * keys, primary first, as Serf's keyring file. Written back on every change, atomically and
 * durably with mode 0600 (private-file.ts): it holds the cluster's secrets. Errors never quote
 * the file's text, which may be a key.
 */
import { existsSync } from 'node:fs';
import { ClusterError } from '../errors.js';
import { readJsonFile } from '../runtime/json-file.js';
import type { KeyringView } from '../wire/keyring.js';
import { writePrivateFileAtomic } from './private-file.js';

/** Read the keys of a keyring file, primary first; ERR_CONFIG naming the file on any problem. */
export function readKeyringFile(path: string): string[] {
  // secret: JSON.parse quotes the text around the fault, and that text may be a key.
  const v = readJsonFile(path, { code: 'ERR_CONFIG', label: `keyring ${path}`, secret: true, hint: 'it must hold a JSON array of base64 keys, primary first' });
  if (!Array.isArray(v) || v.length === 0 || !v.every((k) => typeof k === 'string')) {
    throw new ClusterError('ERR_CONFIG', `keyring ${path}: must hold a JSON array of base64 keys, primary first (e.g. ["<phantom keygen output>"])`);
  }
  return v as string[];
}

/** Whether a keyring file exists at `path`. */
export function keyringFileExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Write the keyring, primary first, atomically and durably with mode 0600, creating a missing
 * directory (0700). Throws the fs error.
 */
export function writeKeyringFile(path: string, view: KeyringView): void {
  writePrivateFileAtomic(path, `${JSON.stringify(view.keys, null, 2)}\n`);
}
