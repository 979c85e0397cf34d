/**
 * `/metrics` in the Prometheus text exposition format (0.0.4), through prom-client with a
 * private registry: the host's own prom-client registry (a database node has one) never sees
 * ours, so names cannot clash and neither side registers process-global state in the other.
 *
 * Agent metrics are read from one `AgentStats` snapshot per scrape (the observer stays the one
 * owner of every counter, STYLE.md). Process and runtime metrics (RSS, CPU, heap, GC durations,
 * event-loop lag, handles) are prom-client's defaults, collected once per thread and shared by
 * every renderer in it: each collection starts a GC observer and an event-loop delay monitor that
 * prom-client never stops. Its event-loop monitor samples every 50 ms instead of prom-client's
 * 10 ms: on an idle lan agent, 10 ms added 0.2 to 0.4 CPU s per minute (up to 3.3x the agent's
 * own), 50 ms nothing measurable (bench/ISOLATE.md, bench/metrics-idle.ts).
 *
 * Metric names are stable: dashboards use them. Everything here is prefixed `phantom_` except
 * prom-client's standard `process_*` and `nodejs_*` series.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues } from 'prom-client';
import type { AgentStats } from '../agent/agent.js';
import type { MainThreadStats } from '../embed/host-watch.js';
import { LOOP_DELAY_BOUNDS_S, PROBE_RTT_BOUNDS_S, type HistogramSnapshot } from '../agent/histogram.js';

/** What one scrape reads. */
export interface MetricsInput {
  readonly stats: AgentStats;
  readonly mainThread?: MainThreadStats | undefined;
}

export interface MetricsOptions {
  /** Add prom-client's process and runtime metrics. Default true. */
  readonly processMetrics?: boolean;
  /** Add the `phantom_main_thread_*` series (the agent runs in a worker). Default false. */
  readonly mainThread?: boolean;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;
/** The process and runtime metrics of this thread, collected once (see the file comment). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 50 });
  }
  return processRegistry;
}

/** A histogram whose buckets are the observer's, read at scrape time (prom-client keeps none of its own). */
class SnapshotHistogram extends Histogram<string> {
  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    registry: Registry,
    bounds: readonly number[],
    private readonly read: () => HistogramSnapshot,
  ) {
    super({ name: metricName, help: metricHelp, registers: [registry], buckets: [...bounds] });
  }

  private values(): { labels: LabelValues<string>; value: number; metricName: string }[] {
    const s = this.read();
    const out: { labels: LabelValues<string>; value: number; metricName: string }[] = [];
    let cumulative = 0;
    s.bounds.forEach((le, i) => {
      cumulative += s.counts[i] ?? 0;
      out.push({ labels: { le }, value: cumulative, metricName: `${this.metricName}_bucket` });
    });
    out.push({ labels: { le: '+Inf' }, value: s.count, metricName: `${this.metricName}_bucket` });
    out.push({ labels: {}, value: s.sum, metricName: `${this.metricName}_sum` });
    out.push({ labels: {}, value: s.count, metricName: `${this.metricName}_count` });
    return out;
  }

  /** What the registry formats as text. */
  async getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: ReturnType<SnapshotHistogram['values']>; aggregator: 'sum' }> {
    return { name: this.metricName, help: this.metricHelp, type: 'histogram', values: this.values(), aggregator: 'sum' };
  }

  override async get(): ReturnType<Histogram<string>['get']> {
    return (await this.getForPromString()) as unknown as Awaited<ReturnType<Histogram<string>['get']>>;
  }
}

type Samples = readonly (readonly [LabelValues<string>, number])[];
const one = (v: number): Samples => [[{}, v]];
const by = (label: string, rec: Readonly<Record<string, number>>): Samples => Object.entries(rec).map(([k, v]) => [{ [label]: k }, v]);

/**
 * Renders an agent's metrics. Build one per agent (or per embedded Cluster) and call `render()`
 * on each scrape; `read` is called once per scrape.
 */
export class MetricsRenderer {
  readonly registry = new Registry();
  readonly contentType = METRICS_CONTENT_TYPE;
  private current: MetricsInput | undefined;
  private readonly withProcess: boolean;

  constructor(
    private readonly read: () => MetricsInput,
    options: MetricsOptions = {},
  ) {
    this.withProcess = options.processMetrics ?? true;
    const s = (): AgentStats => this.current!.stats;
    const gauge = (name: string, help: string, labelNames: readonly string[], samples: () => Samples): void =>
      void new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [labels, v] of samples()) this.set(labels, Number.isFinite(v) ? v : 0);
        },
      });
    const counter = (name: string, help: string, labelNames: readonly string[], samples: () => Samples): void =>
      void new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        // The observer owns the count; prom-client only formats it.
        collect() {
          this.reset();
          for (const [labels, v] of samples()) this.inc(labels, Number.isFinite(v) && v > 0 ? v : 0);
        },
      });

    gauge('phantom_members', 'Members this agent knows, by state (dead is shown as failed).', ['state'], () => {
      const m = s().members;
      return [
        [{ state: 'alive' }, m.alive],
        [{ state: 'suspect' }, m.suspect],
        [{ state: 'failed' }, m.dead],
        [{ state: 'left' }, m.left],
      ];
    });
    gauge('phantom_incarnation', 'Our own incarnation number.', [], () => one(s().incarnation));
    gauge('phantom_awareness_score', 'Lifeguard local health score (0 = healthy; higher = we are slow, probes stretched).', [], () => one(s().awareness));
    gauge('phantom_membership_checksum', 'Farmhash of the membership view; equal on agents that agree.', [], () => one(s().checksum));
    counter('phantom_packets_total', 'UDP datagrams, by direction.', ['direction'], () => [
      [{ direction: 'in' }, s().packetsIn],
      [{ direction: 'out' }, s().packetsOut],
    ]);
    counter('phantom_bytes_total', 'UDP payload bytes, by direction.', ['direction'], () => [
      [{ direction: 'in' }, s().bytesIn],
      [{ direction: 'out' }, s().bytesOut],
    ]);
    counter('phantom_messages_total', 'Protocol messages by direction and type (ping = probes sent).', ['direction', 'type'], () => [
      ...Object.entries(s().counters.messagesOut).map(([t, v]): [LabelValues<string>, number] => [{ direction: 'out', type: t }, v]),
      ...Object.entries(s().counters.messagesIn).map(([t, v]): [LabelValues<string>, number] => [{ direction: 'in', type: t }, v]),
    ]);
    counter('phantom_probes_total', 'Probes this agent started.', [], () => one(s().core.probes));
    counter('phantom_nacks_total', 'Lifeguard nacks, by direction.', ['direction'], () => [
      [{ direction: 'in' }, s().core.nacksReceived],
      [{ direction: 'out' }, s().core.nacksSent],
    ]);
    counter('phantom_stalls_total', 'Times our own process stalled (a wake-up came far too late).', [], () => one(s().core.stalls));
    counter('phantom_probes_failed_total', 'Our probes that got no ack, direct or indirect.', [], () => one(s().counters.probesFailed));
    counter('phantom_suspicions_total', 'Suspicions started (ours or reported to us).', [], () => one(s().counters.suspicionsStarted));
    counter('phantom_suspicions_expired_total', 'Suspicions that ran out: a member declared failed by us.', [], () => one(s().counters.suspicionsExpired));
    counter('phantom_refutations_total', 'Accusations against us that we refuted.', [], () => one(s().counters.refutations));
    counter('phantom_push_pull_total', 'Full-state exchanges we started, by reason.', ['reason'], () => by('reason', s().counters.pushPulls));
    counter('phantom_push_pull_bytes_total', 'Bytes of the packets that carried push-pull state, by direction.', ['direction'], () =>
      by('direction', s().counters.pushPullBytes),
    );
    counter('phantom_drops_total', 'Packets or messages dropped, by reason.', ['reason'], () => by('reason', s().counters.drops));
    counter('phantom_send_errors_total', 'Datagrams the OS refused to send.', [], () => one(s().sendErrors));
    counter('phantom_member_events_total', 'Membership events, by type.', ['event'], () => by('event', s().counters.events));
    gauge('phantom_uptime_seconds', 'Seconds since the agent started.', [], () => one(s().uptimeMs / 1000));
    new SnapshotHistogram(
      'phantom_probe_rtt_seconds',
      'Round-trip time of our acked probes (direct or through a ping-req helper).',
      this.registry,
      PROBE_RTT_BOUNDS_S,
      () => s().histograms.probeRttSeconds,
    );
    new SnapshotHistogram(
      'phantom_event_loop_delay_seconds',
      "Worst event-loop delay of the agent's thread in each probe interval (sampled every 50 ms; empty with lagAwareness off).",
      this.registry,
      LOOP_DELAY_BOUNDS_S,
      () => s().histograms.loopDelaySeconds,
    );
    if (!options.mainThread) return;
    const main = (): MainThreadStats | undefined => this.current!.mainThread;
    gauge('phantom_main_thread_busy', "1 while the host's main thread has not run for longer than the busy threshold (agent in a worker only).", [], () =>
      main() ? one(main()!.busy ? 1 : 0) : [],
    );
    counter('phantom_main_thread_busy_total', "Times the host's main thread turned busy (agent in a worker only).", [], () =>
      main() ? one(main()!.busySpells) : [],
    );
    gauge('phantom_main_thread_longest_stall_seconds', "Longest time the host's main thread did not run (agent in a worker only).", [], () =>
      main() ? one(main()!.longestStallMs / 1000) : [],
    );
  }

  /** The exposition text for one scrape. */
  async render(): Promise<string> {
    this.current = this.read();
    try {
      const own = await this.registry.metrics();
      return this.withProcess ? `${own}\n${await processMetrics().metrics()}` : own;
    } finally {
      this.current = undefined;
    }
  }
}

/** One-shot: the agent metrics of a stats snapshot, without process metrics. */
export function renderMetrics(stats: AgentStats): Promise<string> {
  return new MetricsRenderer(() => ({ stats }), { processMetrics: false }).render();
}
