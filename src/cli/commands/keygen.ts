/** `phantom keygen`: print a new random 32-byte key in base64, for --encrypt and `phantom keys`. */
import type { CommandSpec } from './command.js';
import { generateKey } from '../../wire/keyring.js';

export const keygenCommand: CommandSpec<object> = {
  handler: () => {
    process.stdout.write(`${generateKey()}\n`);
  },
};
