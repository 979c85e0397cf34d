/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), written by hand: a dozen
 * gauges and counters do not need prom-client's registry, and this keeps the admin API free of
 * a dependency that would register process-global state.
 */
import type { AgentStats } from '../agent/agent.js';

type Labels = Readonly<Record<string, string>>;

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge', help: string, samples: readonly (readonly [Labels, number])[]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
      this.lines.push(`${name}${l.length ? `{${l.join(',')}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const one = (v: number): [Labels, number][] => [[{}, v]];
const by = (label: string, rec: Readonly<Record<string, number>>): [Labels, number][] => Object.entries(rec).map(([k, v]) => [{ [label]: k }, v]);

/** Render the agent's stats as Prometheus text. Metric names are stable: dashboards use them. */
export function renderMetrics(s: AgentStats): string {
  const e = new Exposition();
  const c = s.counters;
  e.metric('phantom_members', 'gauge', 'Members this agent knows, by state (dead is shown as failed).', [
    [{ state: 'alive' }, s.members.alive],
    [{ state: 'suspect' }, s.members.suspect],
    [{ state: 'failed' }, s.members.dead],
    [{ state: 'left' }, s.members.left],
  ]);
  e.metric('phantom_incarnation', 'gauge', 'Our own incarnation number.', one(s.incarnation));
  e.metric('phantom_awareness_score', 'gauge', 'Lifeguard local health score (0 = healthy; higher = we are slow, probes stretched).', one(s.awareness));
  e.metric('phantom_membership_checksum', 'gauge', 'Farmhash of the membership view; equal on agents that agree.', one(s.checksum));
  e.metric('phantom_packets_total', 'counter', 'UDP datagrams, by direction.', [
    [{ direction: 'in' }, s.packetsIn],
    [{ direction: 'out' }, s.packetsOut],
  ]);
  e.metric('phantom_bytes_total', 'counter', 'UDP payload bytes, by direction.', [
    [{ direction: 'in' }, s.bytesIn],
    [{ direction: 'out' }, s.bytesOut],
  ]);
  e.metric('phantom_messages_total', 'counter', 'Protocol messages by direction and type (ping = probes sent).', [
    ...Object.entries(c.messagesOut).map(([t, v]): [Labels, number] => [{ direction: 'out', type: t }, v]),
    ...Object.entries(c.messagesIn).map(([t, v]): [Labels, number] => [{ direction: 'in', type: t }, v]),
  ]);
  e.metric('phantom_probes_total', 'counter', 'Probes this agent started.', one(s.core.probes));
  e.metric('phantom_nacks_total', 'counter', 'Lifeguard nacks, by direction.', [
    [{ direction: 'in' }, s.core.nacksReceived],
    [{ direction: 'out' }, s.core.nacksSent],
  ]);
  e.metric('phantom_stalls_total', 'counter', 'Times our own process stalled (a wake-up came far too late).', one(s.core.stalls));
  e.metric('phantom_probes_failed_total', 'counter', 'Our probes that got no ack, direct or indirect.', one(c.probesFailed));
  e.metric('phantom_suspicions_total', 'counter', 'Suspicions started (ours or reported to us).', one(c.suspicionsStarted));
  e.metric('phantom_suspicions_expired_total', 'counter', 'Suspicions that ran out: a member declared failed by us.', one(c.suspicionsExpired));
  e.metric('phantom_refutations_total', 'counter', 'Accusations against us that we refuted.', one(c.refutations));
  e.metric('phantom_push_pull_total', 'counter', 'Full-state exchanges we started, by reason.', by('reason', c.pushPulls));
  e.metric('phantom_drops_total', 'counter', 'Packets or messages dropped, by reason.', by('reason', c.drops));
  e.metric('phantom_send_errors_total', 'counter', 'Datagrams the OS refused to send.', one(s.sendErrors));
  e.metric('phantom_member_events_total', 'counter', 'Membership events, by type.', by('event', c.events));
  e.metric('phantom_uptime_seconds', 'gauge', 'Seconds since the agent started.', one(s.uptimeMs / 1000));
  return e.text();
}
