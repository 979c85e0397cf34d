/** `phantom members`: the member table of the local agent, or one member with its history. */
import type { Argv, CommandModule } from 'yargs';
import { adminRequest } from '../../admin/client.js';
import type { MemberJson } from '../../admin/server.js';
import type { HistoryEntry } from '../../agent/history.js';
import { formatTable, runClient, withAdmin, type AdminArgs } from '../client.js';
import { terminalJson } from '../escape.js';

interface MembersArgs extends AdminArgs {
  name?: string;
  status?: string;
  json: boolean;
  history: boolean;
}

const tagText = (tags: Readonly<Record<string, string>>): string => Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',');

export const membersCommand: CommandModule<object, MembersArgs> = {
  command: 'members [name]',
  describe: 'List the members the local agent knows (or one member, with --history)',
  builder: (y: Argv) =>
    withAdmin(
      y
        .positional('name', { type: 'string', describe: 'Show only this member' })
        .option('status', { type: 'string', choices: ['alive', 'suspect', 'failed', 'left'], describe: 'Only members in this status' })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON (an array of {name, addr, status, incarnation, tags})' })
        .option('history', { type: 'boolean', default: false, describe: 'With NAME: each recent change of state, when, at which incarnation, reported by whom' })
        .example('$0 members', 'aligned table of every member')
        .example('$0 members --status failed --json', 'failed members as JSON')
        .example('$0 members db-7 --history', 'why was db-7 declared failed?'),
    ) as unknown as Argv<MembersArgs>,
  handler: (args) =>
    runClient('members', async () => {
      if (args.name !== undefined) {
        const { body } = await adminRequest<MemberJson & { history: HistoryEntry[] }>(args, 'GET', `/v1/members/${encodeURIComponent(args.name)}`);
        if (args.json) return void process.stdout.write(`${terminalJson(args.history ? body : { ...body, history: undefined }, 2)}\n`);
        process.stdout.write(formatTable(['NAME', 'ADDRESS', 'STATUS', 'INCARNATION', 'TAGS'], [[body.name, body.addr, body.status, String(body.incarnation), tagText(body.tags)]]));
        if (args.history) {
          process.stdout.write('\nHISTORY (oldest first)\n');
          process.stdout.write(
            formatTable(
              ['AT', 'WHAT', 'STATUS', 'INCARNATION', 'BY', 'DETAIL'],
              body.history.map((h) => [h.at, h.kind === 'event' ? (h.event ?? '') : h.kind, h.status ?? '', h.incarnation === undefined ? '' : String(h.incarnation), h.by ?? '', h.detail ?? '']),
            ),
          );
        }
        return;
      }
      const q = args.status ? `?status=${args.status}` : '';
      const { body } = await adminRequest<MemberJson[]>(args, 'GET', `/v1/members${q}`);
      if (args.json) return void process.stdout.write(`${terminalJson(body)}\n`);
      process.stdout.write(formatTable(['NAME', 'ADDRESS', 'STATUS', 'INCARNATION', 'TAGS'], body.map((m) => [m.name, m.addr, m.status, String(m.incarnation), tagText(m.tags)])));
    }),
};
