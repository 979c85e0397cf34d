/**
 * The one reader of JSON files: the agent's --config file, the simulator's scenario and config
 * files, the keyring, and the state files in the data dir (tags, snapshot). Its two failures,
 * unreadable and not JSON, are a ClusterError with the caller's code naming the file; what the
 * JSON must hold is the caller's to check.
 */
import { readFileSync } from 'node:fs';
import { ClusterError, type ErrorCode } from '../errors.js';

export interface JsonFileOptions {
  /** The code of both errors (ERR_CONFIG for a config file, ERR_ARGUMENT for a flag's file...). */
  readonly code: ErrorCode;
  /** How messages name the file, e.g. `--config /etc/phantom.json`. */
  readonly label: string;
  /** What to do about it, appended to a parse error (e.g. `delete it to start afresh`). */
  readonly hint?: string;
  /** Never quote the text: JSON.parse's message shows the text around the fault, and the file holds secrets. */
  readonly secret?: boolean;
  /** Answer undefined for a file that does not exist (a state file not written yet), instead of an error. */
  readonly missingOk?: boolean;
}

/** The parsed content of `path`; see JsonFileOptions for the errors. */
export function readJsonFile(path: string | URL, o: JsonFileOptions): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (o.missingOk && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClusterError(o.code, `${o.label}: cannot read it (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const detail = o.secret ? '' : ` (${(e as Error).message})`;
    throw new ClusterError(o.code, `${o.label}: not valid JSON${detail}${o.hint ? `; ${o.hint}` : ''}`);
  }
}
