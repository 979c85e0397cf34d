/**
 * Tags set at run time (`phantom tags`, `POST /v1/tags`, a SIGHUP reload), remembered in the
 * data dir as DATA_DIR/tags.json so that a restart keeps them, as Serf's -tags-file does. The
 * file holds the whole tag set last set; at start it replaces the configured tags (the agent
 * logs that it did). Delete the file to go back to the configured ones.
 */
import { join } from 'node:path';
import { ClusterError } from '../errors.js';
import type { Tags } from '../core/types.js';
import { writePrivateFileAtomic } from './private-file.js';
import { readJsonFile } from '../runtime/json-file.js';

export const TAGS_FILE = 'tags.json';

export const tagsFilePath = (dataDir: string): string => join(dataDir, TAGS_FILE);

/** The tags saved in `dataDir`, or undefined when none were set at run time. ERR_SNAPSHOT for an unreadable or malformed file. */
export function readTagsFile(dataDir: string): Tags | undefined {
  const path = tagsFilePath(dataDir);
  const v = readJsonFile(path, { code: 'ERR_SNAPSHOT', label: path, hint: 'fix it or delete it to use the configured tags', missingOk: true });
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new ClusterError('ERR_SNAPSHOT', `${path} must be a JSON object of string values; fix it or delete it to use the configured tags`);
  }
  return v as Tags;
}

/** Save the tags atomically (mode 0600). Throws the fs error. */
export function writeTagsFile(dataDir: string, tags: Tags): void {
  writePrivateFileAtomic(tagsFilePath(dataDir), `${JSON.stringify(tags, null, 2)}\n`);
}
