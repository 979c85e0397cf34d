/** Every `phantom` command, one module each. Add a command by adding its module here. */
import type { CommandModule } from 'yargs';
import { simulateCommand } from './simulate.js';
import { demoCommand } from './demo.js';

// Each module types its own argv; yargs only needs the common shape here.
export const commands: CommandModule<object, never>[] = [simulateCommand, demoCommand] as unknown as CommandModule<object, never>[];
