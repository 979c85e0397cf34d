/** `phantom version` (and `phantom --version`): the package and protocol versions. */
import type { CommandSpec } from './command.js';
import { formatVersion, versionInfo } from '../version.js';

interface VersionArgs {
  json: boolean;
}

export const versionCommand: CommandSpec<VersionArgs> = {
  options: { json: { type: 'boolean', default: false, describe: 'Print JSON' } },
  handler: (args) => {
    const v = versionInfo();
    process.stdout.write(`${args.json ? JSON.stringify(v) : formatVersion(v)}\n`);
  },
};
