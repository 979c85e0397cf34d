/** `phantom event NAME [PAYLOAD] [--coalesce]`: send a user event to every member through the local agent. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { printable } from '../escape.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface EventArgs extends AdminArgs {
  name: string;
  payload?: string;
  coalesce: boolean;
}

export const eventCommand: CommandSpec<EventArgs> = {
  positionals: {
    name: { type: 'string', describe: 'Event name (a member-name-like word: no spaces or control characters)' },
    payload: { type: 'string', describe: 'Payload, sent as UTF-8 text; name + payload at most userEventMaxBytes (512)' },
  },
  options: {
    ...adminOption,
    coalesce: { type: 'boolean', default: false, describe: 'Listeners may see only the latest of a burst of events of this name' },
  },
  examples: [
    ['$0 event deploy v42', 'every agent emits `event` {name: deploy, payload: v42} and logs it'],
    ['$0 event schema-changed --coalesce', 'a burst of these reaches listeners as one (the latest)'],
  ],
  handler: (args) =>
    runClient('event', async () => {
      const body = { name: String(args.name), ...(args.payload !== undefined ? { payload: String(args.payload) } : {}), coalesce: args.coalesce === true };
      const { body: r } = await adminCall<{ name: string; bytes: number }>(args, 'event', { body });
      process.stdout.write(`event ${printable(r.name)} sent (${r.bytes} bytes of payload)\n`);
    }),
};
