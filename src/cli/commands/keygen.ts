/** `phantom keygen`: print a new random 32-byte key in base64, for --encrypt and `phantom keys`. */
import type { CommandModule } from 'yargs';
import { generateKey } from '../../wire/keyring.js';

export const keygenCommand: CommandModule<object, object> = {
  command: 'keygen',
  describe: 'Print a new random encryption key (base64, 32 bytes, AES-256-GCM)',
  handler: () => {
    process.stdout.write(`${generateKey()}\n`);
  },
};
