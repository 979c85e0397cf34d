/**
 * `phantom monitor`: follow the local agent's log and membership events as they happen (Serf's
 * `serf monitor`), from the admin API's event stream (`GET /v1/events`). Runs until Ctrl-C
 * (exit 0) or until the agent stops (exit 1).
 */
import type { CommandSpec } from './command.js';
import { adminStream } from '../../admin/client.js';
import { routePath } from '../../admin/routes.js';
import { prettyLine } from '../../agent/log-line.js';
import { printable } from '../escape.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface MonitorArgs extends AdminArgs {
  logLevel: string;
  json: boolean;
}

interface MemberFrame {
  type: string;
  member: { name: string; addr: string; status: string; incarnation: number };
  previous: string | null;
}

export const monitorCommand: CommandSpec<MonitorArgs> = {
  options: {
    ...adminOption,
    'log-level': {
      type: 'string',
      choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      default: 'info',
      describe: 'Log lines at this level and above (the agent logs at this level while followed, its own output unchanged); silent: member events only',
    },
    json: { type: 'boolean', default: false, describe: 'Print each item as one JSON line {"kind", "data"}' },
  },
  examples: [
    ['$0 monitor', 'log lines and member events of the local agent, until Ctrl-C'],
    ['$0 monitor --log-level silent', 'member events only'],
    ['$0 monitor --json | jq .', 'for scripts'],
  ],
  handler: (args) =>
    runClient('monitor', async () => {
      const stream = await adminStream(args, routePath('events', {}, { level: args.logLevel }), (f) => {
        if (args.json) return void process.stdout.write(`${JSON.stringify({ kind: f.event, data: safeParse(f.data) })}\n`);
        process.stdout.write(render(f.event, f.data));
      });
      process.stderr.write(`phantom monitor: following the agent at ${args.admin}; Ctrl-C to stop\n`);
      const stop = (): void => stream.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const how = await stream.done;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (how === 'ended') {
        process.stderr.write('phantom monitor: the agent closed the stream (it stopped)\n');
        return 1;
      }
      return 0;
    }),
};

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function render(kind: string, data: string): string {
  if (kind === 'log') return `${printable(prettyLine(data).trimEnd())}\n`;
  if (kind === 'member') {
    const e = safeParse(data) as MemberFrame;
    const was = e.previous && e.previous !== e.member.status ? ` (was ${e.previous})` : '';
    return `${printable(`${new Date().toISOString().slice(11, 23)} EVENT member-${e.type} ${e.member.name} ${e.member.addr} ${e.member.status}${was} incarnation ${e.member.incarnation}`)}\n`;
  }
  if (kind === 'dropped')
    return `${new Date().toISOString().slice(11, 23)} (this monitor read too slowly: ${(safeParse(data) as { count?: number }).count ?? '?'} items dropped)\n`;
  return `${printable(`${new Date().toISOString().slice(11, 23)} ${kind.toUpperCase()} ${data}`)}\n`;
}
