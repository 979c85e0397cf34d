/** `phantom tags set k=v... | delete k...`: change the local agent's tags; they spread by gossip. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { printable } from '../escape.js';
import { ClusterError } from '../../errors.js';
import { parseTags } from '../agent-settings.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface TagsArgs extends AdminArgs {
  action: string;
  items: string[];
}

export const tagsCommand: CommandSpec<TagsArgs> = {
  positionals: {
    action: { type: 'string', choices: ['set', 'delete'], describe: 'set k=v... or delete k...' },
    items: { type: 'string', array: true, describe: 'key=value pairs (set) or keys (delete)' },
  },
  options: adminOption,
  examples: [
    ['$0 tags set zone=eu-1 weight=2', 'set two tags'],
    ['$0 tags delete role', 'remove a tag'],
  ],
  handler: (args) =>
    runClient('tags', async () => {
      const items = args.items.map(String);
      const body = args.action === 'set' ? { set: parseTags(items, 'tags set') } : { delete: items };
      if (args.action === 'delete' && items.some((k) => k.includes('='))) throw new ClusterError('ERR_ARGUMENT', 'tags delete takes tag names, not key=value');
      const { body: r } = await adminCall<{ tags: Record<string, string>; incarnation: number }>(args, 'tags', { body });
      process.stdout.write(
        `tags: ${
          Object.entries(r.tags)
            .map(([k, v]) => printable(`${k}=${v}`))
            .join(',') || '(none)'
        }  (incarnation ${r.incarnation})\n`,
      );
    }),
};
