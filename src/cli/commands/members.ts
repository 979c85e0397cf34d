/** `phantom members`: the member table of the local agent, or one member with its history. */
import type { CommandSpec } from './command.js';
import { adminRequest } from '../../admin/client.js';
import type { MemberJson } from '../../admin/server.js';
import type { HistoryEntry } from '../../agent/history.js';
import { formatTable, adminOption, runClient, type AdminArgs } from '../client.js';
import { terminalJson } from '../escape.js';

interface MembersArgs extends AdminArgs {
  name?: string;
  status?: string;
  json: boolean;
  history: boolean;
}

const tagText = (tags: Readonly<Record<string, string>>): string => Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',');

export const membersCommand: CommandSpec<MembersArgs> = {
  positionals: { name: { type: 'string', describe: 'Show only this member' } },
  options: {
    ...adminOption,
    status: { type: 'string', choices: ['alive', 'suspect', 'failed', 'left'], describe: 'Only members in this status' },
    json: { type: 'boolean', default: false, describe: 'Print JSON (an array of {name, addr, status, incarnation, tags})' },
    history: { type: 'boolean', default: false, describe: 'With NAME: each recent change of state, when, at which incarnation, reported by whom' },
  },
  examples: [
    ['$0 members', 'aligned table of every member'],
    ['$0 members --status failed --json', 'failed members as JSON'],
    ['$0 members db-7 --history', 'why was db-7 declared failed?'],
  ],
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
