/** Every `phantom` command, one module each. Add a command by adding its module here. */
import type { CommandModule } from 'yargs';
import { simulateCommand } from './simulate.js';
import { demoCommand } from './demo.js';
import { agentCommand } from './agent.js';
import { membersCommand } from './members.js';
import { joinCommand } from './join.js';
import { leaveCommand } from './leave.js';
import { infoCommand } from './info.js';
import { tagsCommand } from './tags.js';
import { lookupCommand } from './lookup.js';
import { keygenCommand } from './keygen.js';
import { keysCommand } from './keys.js';
import { dashboardCommand } from './dashboard.js';

// Each module types its own argv; yargs only needs the common shape here.
export const commands: CommandModule<object, never>[] = [
  simulateCommand,
  demoCommand,
  agentCommand,
  membersCommand,
  joinCommand,
  leaveCommand,
  infoCommand,
  tagsCommand,
  lookupCommand,
  keygenCommand,
  keysCommand,
  dashboardCommand,
] as unknown as CommandModule<object, never>[];
