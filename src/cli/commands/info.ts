/** `phantom info`: the local agent's identity, config, awareness score and counters. */
import type { CommandSpec } from './command.js';
import { adminCall } from '../../admin/client.js';
import { terminalJson } from '../escape.js';
import type { AgentStats } from '../../agent/agent.js';
import { adminOption, runClient, type AdminArgs } from '../client.js';

interface InfoArgs extends AdminArgs {
  json: boolean;
}

export const infoCommand: CommandSpec<InfoArgs> = {
  options: { ...adminOption, json: { type: 'boolean', default: false, describe: 'Print JSON' } },
  examples: [['$0 info', 'readable summary']],
  handler: (args) =>
    runClient('info', async () => {
      const { body } = await adminCall<Record<string, unknown> & { stats: AgentStats }>(args, 'info');
      if (args.json) return void process.stdout.write(`${terminalJson(body, 2)}\n`);
      const s = body.stats;
      const lines: string[] = ['agent:'];
      for (const k of ['name', 'address', 'bind', 'advertise', 'profile', 'admin', 'logLevel', 'dataDir', 'restoredMembers'])
        lines.push(`  ${k}: ${terminalJson(body[k])}`);
      lines.push(`  tags: ${terminalJson(body.tags)}`);
      lines.push(`  state: ${s.state}  incarnation: ${s.incarnation}  uptime: ${(s.uptimeMs / 1000).toFixed(0)}s  awareness: ${s.awareness}`);
      lines.push(`members: alive ${s.members.alive}, suspect ${s.members.suspect}, failed ${s.members.dead}, left ${s.members.left}  (checksum ${s.checksum})`);
      lines.push(`traffic: in ${s.packetsIn} packets / ${s.bytesIn} B, out ${s.packetsOut} packets / ${s.bytesOut} B, send errors ${s.sendErrors}`);
      const c = s.counters;
      lines.push(
        `protocol: probes failed ${c.probesFailed}, suspicions ${c.suspicionsStarted} (expired ${c.suspicionsExpired}), refutations ${c.refutations}, join retries ${c.joinRetries}`,
      );
      lines.push(`messages out: ${terminalJson(c.messagesOut)}`);
      lines.push(`messages in:  ${terminalJson(c.messagesIn)}`);
      lines.push(`drops: ${terminalJson(c.drops)}`);
      const h = body.handlers as { specs?: unknown[]; runs?: number; failures?: number; timeouts?: number; dropped?: number } | undefined;
      if (h?.specs && h.specs.length > 0)
        lines.push(`event handlers: ${h.specs.length}, runs ${h.runs}, failures ${h.failures} (timeouts ${h.timeouts}), dropped ${h.dropped}`);
      lines.push(`protocol config: ${terminalJson(body.protocol)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
};
