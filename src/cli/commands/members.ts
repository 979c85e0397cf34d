/** `phantom members`: the member table of the local agent, or one member with its history. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import type { MemberJson } from '../../admin/server.js';
import type { HistoryEntry } from '../../agent/history.js';
import { MEMBER_STATUSES } from '../../member-status.js';
import { formatTable, adminOption, runClient, type AdminArgs } from '../client.js';
import { terminalJson } from '../escape.js';

interface MembersArgs extends AdminArgs {
  member?: string;
  name?: string;
  status?: string;
  json: boolean;
  history: boolean;
  detailed: boolean;
  tag?: string[];
}

const tagText = (tags: Readonly<Record<string, string>>): string =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Serf's `members -detailed`: a block per member, each tag on its own line. */
function detailed(m: MemberJson): string {
  const rows: [string, string][] = [
    ['name', m.name],
    ['address', m.addr],
    ['status', m.status],
    ['incarnation', String(m.incarnation)],
    ['since', `${(m.sinceMs / 1000).toFixed(1)} s ago`],
    ...Object.entries(m.tags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]): [string, string] => [`tag ${k}`, v]),
  ];
  return formatTable(['FIELD', 'VALUE'], rows).split('\n').slice(1).join('\n');
}

export const membersCommand: CommandSpec<MembersArgs> = {
  positionals: { member: { type: 'string', describe: 'Show only this member (exact name)' } },
  options: {
    ...adminOption,
    status: { type: 'string', choices: MEMBER_STATUSES, describe: 'Only members in this status' },
    json: { type: 'boolean', default: false, describe: 'Print JSON (an array of {name, addr, status, incarnation, tags})' },
    history: { type: 'boolean', default: false, describe: 'With MEMBER: each recent change of state, when, at which incarnation, reported by whom' },
    tag: {
      type: 'string',
      array: true,
      describe: 'Only members whose tag KEY matches the regular expression (whole value), key=regex; repeatable, all must match',
    },
    name: { type: 'string', describe: 'Only members whose whole name matches this regular expression' },
    detailed: { type: 'boolean', default: false, describe: 'One block per member: every field, each tag on its own line' },
  },
  examples: [
    ['$0 members', 'aligned table of every member'],
    ['$0 members --status failed --json', 'failed members as JSON'],
    ["$0 members --tag role=db --name 'db-.*' --detailed", 'the database members, in full'],
    ['$0 members db-7 --history', 'why was db-7 declared failed?'],
  ],
  handler: (args) =>
    runClient('members', async () => {
      if (args.member !== undefined) {
        const { body } = await adminCall<MemberJson & { history: HistoryEntry[] }, 'member'>(args, 'member', { params: { name: args.member } });
        if (args.json) return void process.stdout.write(`${terminalJson(args.history ? body : { ...body, history: undefined }, 2)}\n`);
        process.stdout.write(
          formatTable(
            ['NAME', 'ADDRESS', 'STATUS', 'INCARNATION', 'TAGS'],
            [[body.name, body.addr, body.status, String(body.incarnation), tagText(body.tags)]],
          ),
        );
        if (args.history) {
          process.stdout.write('\nHISTORY (oldest first)\n');
          process.stdout.write(
            formatTable(
              ['AT', 'WHAT', 'STATUS', 'INCARNATION', 'BY', 'DETAIL'],
              body.history.map((h) => [
                h.at,
                h.kind === 'event' ? (h.event ?? '') : h.kind,
                h.status ?? '',
                h.incarnation === undefined ? '' : String(h.incarnation),
                h.by ?? '',
                h.detail ?? '',
              ]),
            ),
          );
        }
        return;
      }
      const query = { status: args.status || undefined, name: args.name, tag: (args.tag ?? []).map(String) };
      const { body } = await adminCall<MemberJson[]>(args, 'members', { query });
      if (args.json) return void process.stdout.write(`${terminalJson(body)}\n`);
      if (args.detailed) return void process.stdout.write(body.map(detailed).join('\n'));
      process.stdout.write(
        formatTable(
          ['NAME', 'ADDRESS', 'STATUS', 'INCARNATION', 'TAGS'],
          body.map((m) => [m.name, m.addr, m.status, String(m.incarnation), tagText(m.tags)]),
        ),
      );
    }),
};
