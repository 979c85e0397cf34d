/**
 * `phantom keys list | install KEY | use KEY | remove KEY [--local]`: manage the cluster's
 * keyring, like `serf keys`. The local agent applies the change, sends it to every live member
 * and reports how many answered, which failed and which did not answer; with --local it changes
 * this agent only and sends nothing (a key installed that way never crosses the wire). Rotation
 * without downtime: install NEW -> use NEW -> remove OLD; the agent refuses `use` until every
 * live member holds the key, and `remove` while any still seals with it.
 * Exit 0 when every member answered without error, 1 otherwise.
 */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import type { KeyOpResult } from '../../agent/key-service.js';
import { ClusterError } from '../../errors.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface KeysArgs extends AdminArgs {
  action: string;
  key?: string;
  json?: boolean;
  local?: boolean;
}

export const keysCommand: CommandSpec<KeysArgs> = {
  positionals: {
    action: { type: 'string', choices: ['list', 'install', 'use', 'remove'], describe: 'what to do' },
    key: { type: 'string', describe: 'base64 key (phantom keygen); not for list' },
  },
  options: {
    ...adminOption,
    json: { type: 'boolean', describe: 'print the raw result' },
    local: { type: 'boolean', describe: 'this agent only: send nothing to other members (to install a new key out of band after a leak)' },
  },
  examples: [
    ['$0 keys install NEWKEY && $0 keys use NEWKEY && $0 keys remove OLDKEY', 'rotate the key with no downtime'],
    ['$0 keys list', 'which keys each member holds'],
    ['$0 keys install NEWKEY --local', 'on each host, after a key leaked: the new key never crosses the wire'],
  ],
  handler: (args) =>
    runClient('keys', async () => {
      if (args.action !== 'list' && !args.key) throw new ClusterError('ERR_ARGUMENT', `keys ${args.action} needs the key: phantom keys ${args.action} KEY`);
      // The agent waits up to 5 s for answers, twice for use and remove; allow for that.
      const { body: r } =
        args.action === 'list'
          ? await adminCall<KeyOpResult>(args, 'keysList', { query: { local: args.local ? 'true' : undefined }, timeoutMs: 20_000 })
          : await adminCall<KeyOpResult>(args, 'keysChange', {
              body: { op: args.action, key: args.key, ...(args.local ? { local: true } : {}) },
              timeoutMs: 20_000,
            });
      if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else process.stdout.write(formatResult(r));
      return Object.keys(r.failed).length === 0 && r.missing.length === 0 ? 0 : 1;
    }),
};

/** Human summary: counts, then per-key holders for list, then failures and silences. */
export function formatResult(r: KeyOpResult): string {
  const lines = [
    r.local
      ? `${r.op}: done on this agent only (nothing sent)`
      : `${r.op}: ${r.answered} of ${r.members} members answered${Object.keys(r.failed).length ? `, ${Object.keys(r.failed).length} with an error` : ''}`,
  ];
  if (r.keys) {
    for (const [k, n] of Object.entries(r.keys)) lines.push(`  ${k}  held by ${n}/${r.members}${r.primaries?.[k] ? `, primary on ${r.primaries[k]}` : ''}`);
  }
  for (const [name, e] of Object.entries(r.failed)) lines.push(`  failed on ${name}: ${e}`);
  if (r.missing.length > 0) lines.push(`  no answer from: ${r.missing.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
