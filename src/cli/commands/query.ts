/**
 * `phantom query NAME [PAYLOAD] [--node N]... [--tag k=regex]... [--timeout 5s] [--relay 2]
 * [--no-ack] [--json]`: ask every member (or those the filters pick) through the local agent,
 * and print the acks and responses received before the timeout.
 */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { printable } from '../escape.js';
import { ClusterError } from '../../errors.js';
import { parseDuration } from '../../sim/duration.js';
import { adminOption, formatTable, runClient, type AdminArgs } from '../client.js';

interface QueryArgs extends AdminArgs {
  name: string;
  payload?: string;
  node?: string[];
  tag?: string[];
  timeout?: string;
  relay?: number;
  ack: boolean;
  json: boolean;
}

interface QueryAnswerJson {
  name: string;
  timeoutMs: number;
  acks: string[];
  responses: { from: string; payload: string; payloadBase64: string }[];
}

export const queryCommand: CommandSpec<QueryArgs> = {
  positionals: {
    name: { type: 'string', describe: 'Query name (the handlers registered under it answer)' },
    payload: { type: 'string', describe: 'Payload, sent as UTF-8 text' },
  },
  options: {
    ...adminOption,
    node: { type: 'string', array: true, describe: 'Only this member answers; repeatable' },
    tag: { type: 'string', array: true, describe: 'Only members whose tag matches: key=regex (unanchored); repeatable' },
    timeout: { type: 'string', describe: 'Wait this long for answers (e.g. 5s, 500ms) [default: scales with the cluster size]' },
    relay: { type: 'number', describe: 'Relay factor: each answer also comes through this many random members (0-5) [default: 0]' },
    ack: { type: 'boolean', default: true, describe: 'Ask for acks (--no-ack: responses only)' },
    json: { type: 'boolean', default: false, describe: 'Print {name, timeoutMs, acks, responses} as JSON' },
  },
  examples: [
    ['$0 query shard-owner 17', 'ask every member; members with a shard-owner handler answer'],
    ['$0 query load --tag role=^db$ --timeout 2s --relay 2', 'ask the db members only, answers relayed twice'],
  ],
  handler: (args) =>
    runClient('query', async () => {
      const tags: Record<string, string> = {};
      for (const t of args.tag ?? []) {
        const eq = String(t).indexOf('=');
        if (eq <= 0) throw new ClusterError('ERR_ARGUMENT', `--tag ${JSON.stringify(t)}: expected key=regex`);
        tags[String(t).slice(0, eq)] = String(t).slice(eq + 1);
      }
      const timeoutMs = args.timeout === undefined ? undefined : Math.round(parseDuration(String(args.timeout), '--timeout'));
      const body = {
        name: String(args.name),
        ...(args.payload !== undefined ? { payload: String(args.payload) } : {}),
        ...(args.node && args.node.length > 0 ? { nodes: args.node.map(String) } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(args.relay !== undefined ? { relay: args.relay } : {}),
        ack: args.ack !== false,
      };
      // The agent answers once the query timed out; the default timeout scales with the cluster.
      const { body: r } = await adminCall<QueryAnswerJson>(args, 'query', { body, timeoutMs: (timeoutMs ?? 300_000) + 10_000 });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      if (r.responses.length > 0)
        process.stdout.write(
          formatTable(
            ['FROM', 'RESPONSE'],
            r.responses.map((x) => [x.from, x.payload]),
          ),
        );
      const acks = body.ack ? `${r.acks.length} acks, ` : '';
      process.stdout.write(`${acks}${r.responses.length} responses (query ${printable(r.name)}, timeout ${(r.timeoutMs / 1000).toFixed(1)} s)\n`);
    }),
};
