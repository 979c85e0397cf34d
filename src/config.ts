/**
 * Every protocol parameter, with its unit, default and trade-off. The `lan` profile is
 * memberlist's published LAN defaults; `wan` and `local` are written as differences from it.
 * Derived values (suspicion timeout, retransmit limit, push-pull scaling) live in core/timing.ts.
 */
import { ClusterError } from './errors.js';
import { MAX_DIMENSIONS } from './core/coordinate.js';

export interface ProtocolConfig {
  /** Time between two probes started by this agent (ms). Lower = faster detection, more traffic. */
  probeIntervalMs: number;
  /** Wait this long for a direct ack before asking others (ms). About the p99 RTT; < probeIntervalMs. */
  probeTimeoutMs: number;
  /** Members asked to ping a target that missed its direct ack (SWIM's k). 0 disables indirect probes. */
  indirectChecks: number;
  /**
   * Direct pings re-sent in a probe whose first ping went unanswered: one with the ping-reqs,
   * the next halfway to the probe's end, and so on. Each costs a datagram only when an ack is
   * late; under 10% loss two cut the suspicions of live members about 25-fold (memberlist
   * rescues such probes with a TCP ping instead). 0 = SWIM's single direct ping.
   */
  probeRetries: number;
  /** Suspicion timeout = suspicionMult × max(1, log10(n)) × probeIntervalMs. Higher = fewer false positives, slower detection. */
  suspicionMult: number;
  /** Each update is piggybacked retransmitMult × ceil(log10(n + 1)) times. Higher = surer spread, more bytes. */
  retransmitMult: number;
  /** Time between gossip rounds while there is news (ms). */
  gossipIntervalMs: number;
  /**
   * The most membership updates an agent keeps queued for gossip. Past it the most-sent one is
   * dropped: it has reached most agents already, and catch-up sync and push-pull repair the rest.
   * Without a bound a join burst of N members queues N updates in every agent, each relayed
   * retransmitMult × log10(n) times at the packet budget: every agent keeps sending old news for
   * tens of seconds after the burst (issue 16). Ordinary churn never comes near it.
   */
  updateQueueMax: number;
  /** Members sent a gossip packet each round (fan-out). */
  gossipNodes: number;
  /** Dead members still receive gossip for this long after their death (ms), so a falsely-dead member learns it and refutes. */
  gossipToTheDeadMs: number;
  /** Full-state exchange with one random member every this long (ms), scaled up above 32 members. 0 disables periodic push-pull. */
  pushPullIntervalMs: number;
  /** Ask a member whose table is larger than ours by this many entries for its state at once (catch-up sync; a few behind a large table, only its newest rows). 0 disables it. */
  catchUpThreshold: number;
  /** Minimum time between two catch-up syncs (ms): bounds the cost of a join burst. */
  catchUpIntervalMs: number;
  /** Largest packet we build (bytes): piggybacked updates fill a packet up to this. Keep under the path MTU. */
  packetBudgetBytes: number;
  /** Largest encoded size of one member's tags (bytes). */
  maxTagsBytes: number;
  /** Longest member name (UTF-8 bytes). */
  maxNameBytes: number;
  /** Wait this long for a seed to answer a join before retrying (ms). */
  joinTimeoutMs: number;
  /** Join attempts before giving up with ERR_JOIN_FAILED; the wait doubles after each attempt. */
  joinAttempts: number;
  /** Re-dial one random failed member, and any seed not in our table, this often (ms): heals partitions. 0 disables it. */
  reconnectIntervalMs: number;
  /** Forget a failed member after this long (ms); reconnect attempts stop then. */
  reapFailedAfterMs: number;
  /** Forget a member that left after this long (ms): bounded tables under churn. */
  reapLeftAfterMs: number;
  /** Upper bound on a graceful leave: stop gossiping our `left` after this long (ms). */
  leaveTimeoutMs: number;
  /**
   * With encryption: drop a sealed datagram sealed more than this before or after our clock
   * (ms), so a recorded packet cannot be sent again later. Clocks must agree within it. Below
   * both reap times: a packet about a member from before it was forgotten must not outlive the
   * forgetting. 0 = no window (as memberlist).
   */
  replayWindowMs: number;

  // ---- Lifeguard (Dadgar et al. 2017): each part has its own switch so it can be measured ----
  /** Local health awareness: a failed probe, a missing nack or a refutation raises our score; probe interval and timeout are × (score + 1). */
  lifeguardAwareness: boolean;
  /** Highest awareness multiplier (score stays in [0, max - 1]). */
  awarenessMaxMultiplier: number;
  /** Ping-req intermediaries answer `nack` when the target does not ack either, and a requester counts missing nacks against its own health. */
  lifeguardNack: boolean;
  /** Dynamic suspicion: start at suspicionMaxTimeoutMult × the timeout and fall toward it as independent members confirm. */
  lifeguardDynamicSuspicion: boolean;
  /** Longest suspicion = this × the suspicion timeout (with dynamic suspicion). */
  suspicionMaxTimeoutMult: number;
  /** Buddy system: a ping to a member we suspect carries the suspicion, so it can refute at once. */
  lifeguardBuddy: boolean;
  /**
   * Stall detection (ours): a tick that comes much later than asked means our own process
   * stalled; a probe or suspicion that ran out while we slept is not evidence until the packets
   * that queued meanwhile have been read, and the stall counts against our health.
   */
  stallDetection: boolean;

  // ---- beyond Lifeguard (ours) ----
  /**
   * Active confirmation: when a member becomes suspect, `confirmers` members chosen by hash probe
   * it at once (directly and through ping-req, staggered by half a probe interval each) and pass
   * on what they saw. With that many independent failed probes the suspicion ends after one probe
   * interval instead of the suspicion timeout; one ack makes the suspect refute at once.
   */
  activeConfirmation: boolean;
  /** Members that check each suspicion (and each member on probation). Traffic per suspicion is a constant of this, whatever n. */
  confirmers: number;
  /**
   * Flap damping (as route flap damping): each outage of a member adds 1 to its penalty, which
   * halves every flapHalfLifeMs. A member declared dead whose same process comes back is
   * readmitted after passing its confirmers' checks for readmitAfterMs × 2^(penalty − 1), and
   * while its penalty lasts a suspicion of it waits 1.5 × its last outage (capped) before a dead
   * verdict: a member that keeps flapping is held back longer each time, a member that was out
   * once is back within seconds. A restarted process (a new process life) is admitted at once.
   */
  flapDamping: boolean;
  /** First probation length (ms): how long a member declared dead must look healthy to come back; doubles with each recent outage. */
  readmitAfterMs: number;
  /** Half-life of a member's flap penalty (ms): how long repeated outages are remembered. */
  flapHalfLifeMs: number;
  /**
   * Local load as local health: the agent samples its own event-loop delay and a window whose
   * worst delay exceeds half the probe timeout raises the awareness score, so a Node process that
   * stalls stops accusing others (Lifeguard's premise hits a single-threaded runtime harder); so
   * does a probe interval in which it refused a flood of bad datagrams.
   */
  lagAwareness: boolean;

  // ---- network coordinates ----
  /**
   * Vivaldi network coordinates (as Serf's): each direct ping and ack carries the sender's
   * coordinate (a few dozen bytes), each direct probe's RTT moves ours, and the distance between
   * two coordinates estimates their RTT (`phantom rtt`, the balancer's latency prior, `lookup --near`).
   */
  coordinates: boolean;
  /** Axes of the Euclidean part of a coordinate (plus a height). Every member must use the same number. */
  coordinateDimensions: number;
  // ---- user events (`phantom event`) ----
  /** Largest user event: name + payload, in bytes (Serf: 512). At most 16384; an event must also fit in one packet. */
  userEventMaxBytes: number;
  /**
   * Share of each packet kept for user events while any wait (0 < share < 1). Membership news
   * always has the rest, so a burst of events never delays a failure's news, and news never
   * starves events; whichever side has less to send leaves its room to the other.
   */
  userEventShare: number;
  /**
   * Recent-event buffer, in Lamport times (Serf: 64): an event older than this many of the
   * latest is refused as too old. Cover the events the whole cluster sends while one spreads.
   */
  userEventBuffer: number;
  /**
   * While user events wait, each gossip round also sends up to this many packets of events alone,
   * to random live members (membership news keeps its own packets and share). Sets the event
   * throughput: about this × packetBudgetBytes per gossip interval. 0 = events ride only with
   * membership gossip and probes.
   */
  userEventPackets: number;
  /**
   * The most user events and queries an agent keeps queued for gossip (Serf: MaxQueueDepth 4096).
   * Past it the most-sent one is dropped: it has reached most agents, and anti-entropy repairs the
   * rest. Without a bound, events sent faster than userEventPackets can carry pile up in every
   * agent for good.
   */
  userEventQueueMax: number;
  /**
   * Each user event is relayed userEventRetransmitMult × ceil(log10(n + 1)) times by each agent.
   * Higher than retransmitMult: a missed membership update is repaired by push-pull, a missed
   * event by nothing, and gossip misses an agent with probability about e^-(copies it is sent).
   */
  userEventRetransmitMult: number;
  /**
   * The agent holds events sent with `coalesce` this long (ms) and delivers only the latest of
   * each name (Serf's coalesce period). 0 = deliver every one. Local: not part of the protocol.
   */
  userEventCoalesceMs: number;

  // ---- queries (`phantom query`) ----
  /** Largest query: name + payload + filters, in bytes (Serf: 1024). */
  queryMaxBytes: number;
  /** Largest query response payload, in bytes (Serf: 1024). */
  queryResponseMaxBytes: number;
  /** Default query timeout = gossipIntervalMs × queryTimeoutMult × ceil(log10(n + 1)) (Serf: 16). */
  queryTimeoutMult: number;
}

/** memberlist DefaultLANConfig, plus our own additions. */
export const lan: Readonly<ProtocolConfig> = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  probeRetries: 2,
  suspicionMult: 4,
  retransmitMult: 4,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  updateQueueMax: 256,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 30_000,
  catchUpThreshold: 1,
  catchUpIntervalMs: 1_000,
  packetBudgetBytes: 1400,
  maxTagsBytes: 512,
  maxNameBytes: 128,
  joinTimeoutMs: 1_000,
  joinAttempts: 5,
  reconnectIntervalMs: 10_000,
  reapFailedAfterMs: 24 * 3600_000,
  reapLeftAfterMs: 24 * 3600_000,
  leaveTimeoutMs: 2_000,
  replayWindowMs: 600_000,
  lifeguardAwareness: true,
  awarenessMaxMultiplier: 8,
  lifeguardNack: true,
  lifeguardDynamicSuspicion: true,
  suspicionMaxTimeoutMult: 6,
  lifeguardBuddy: true,
  stallDetection: true,
  activeConfirmation: true,
  confirmers: 3,
  flapDamping: true,
  readmitAfterMs: 2_000,
  flapHalfLifeMs: 300_000,
  lagAwareness: true,
  coordinates: true,
  coordinateDimensions: 8,
  userEventMaxBytes: 512,
  userEventShare: 0.5,
  userEventBuffer: 4096,
  userEventPackets: 8,
  userEventQueueMax: 1024,
  userEventRetransmitMult: 8,
  userEventCoalesceMs: 1000,
  queryMaxBytes: 1024,
  queryResponseMaxBytes: 1024,
  queryTimeoutMult: 16,
});

/** Every switch beyond SWIM off: plain SWIM, for comparison. */
export const plainSwim: Partial<ProtocolConfig> = Object.freeze({
  probeRetries: 0,
  lifeguardAwareness: false,
  lifeguardNack: false,
  lifeguardDynamicSuspicion: false,
  lifeguardBuddy: false,
  stallDetection: false,
  activeConfirmation: false,
  flapDamping: false,
  lagAwareness: false,
});

/** Lifeguard as published (and as memberlist runs it), without our additions. */
export const lifeguardOnly: Partial<ProtocolConfig> = Object.freeze({
  probeRetries: 0,
  stallDetection: false,
  activeConfirmation: false,
  flapDamping: false,
  lagAwareness: false,
});

/** memberlist DefaultWANConfig as a difference from LAN: slower, more tolerant of latency and loss. */
export const wan: Readonly<ProtocolConfig> = Object.freeze({
  ...lan,
  probeIntervalMs: 5_000,
  probeTimeoutMs: 3_000,
  suspicionMult: 6,
  gossipIntervalMs: 500,
  gossipNodes: 4,
  gossipToTheDeadMs: 60_000,
  pushPullIntervalMs: 60_000,
  catchUpIntervalMs: 5_000,
  joinTimeoutMs: 5_000,
  reconnectIntervalMs: 30_000,
  leaveTimeoutMs: 5_000,
  readmitAfterMs: 10_000,
});

/** memberlist DefaultLocalConfig as a difference from LAN: one host or a fast local network. */
export const local: Readonly<ProtocolConfig> = Object.freeze({
  ...lan,
  probeTimeoutMs: 200,
  indirectChecks: 1,
  suspicionMult: 3,
  retransmitMult: 2,
  gossipIntervalMs: 100,
  gossipToTheDeadMs: 15_000,
  pushPullIntervalMs: 15_000,
  joinTimeoutMs: 500,
  reconnectIntervalMs: 5_000,
  reapFailedAfterMs: 3600_000,
  reapLeftAfterMs: 3600_000,
  leaveTimeoutMs: 1_000,
});

export const profiles = { lan, wan, local } as const;
export type ProfileName = keyof typeof profiles;

export function isProfileName(s: string): s is ProfileName {
  return Object.hasOwn(profiles, s);
}

type Rule = (v: number, c: ProtocolConfig) => string | undefined;
const BOOLEAN_FIELDS = new Set<keyof ProtocolConfig>([
  'lifeguardAwareness',
  'lifeguardNack',
  'lifeguardDynamicSuspicion',
  'lifeguardBuddy',
  'stallDetection',
  'activeConfirmation',
  'flapDamping',
  'lagAwareness',
  'coordinates',
]);
const nonNegInt: Rule = (v) => (Number.isInteger(v) && v >= 0 ? undefined : 'must be an integer >= 0');
const posInt: Rule = (v) => (Number.isInteger(v) && v > 0 ? undefined : 'must be an integer > 0');
const posNum: Rule = (v) => (Number.isFinite(v) && v > 0 ? undefined : 'must be a number > 0');

const rules: Partial<Record<keyof ProtocolConfig, Rule[]>> = {
  probeIntervalMs: [posInt],
  probeTimeoutMs: [posInt, (v, c) => (v < c.probeIntervalMs ? undefined : `must be less than probeIntervalMs (${c.probeIntervalMs})`)],
  indirectChecks: [nonNegInt, (v) => (v <= 16 ? undefined : 'must be at most 16')],
  probeRetries: [nonNegInt, (v) => (v <= 4 ? undefined : 'must be at most 4')],
  suspicionMult: [posNum],
  retransmitMult: [posInt],
  gossipIntervalMs: [posInt],
  gossipNodes: [nonNegInt],
  updateQueueMax: [posInt],
  gossipToTheDeadMs: [nonNegInt],
  pushPullIntervalMs: [nonNegInt],
  catchUpThreshold: [nonNegInt],
  catchUpIntervalMs: [nonNegInt],
  packetBudgetBytes: [posInt, (v) => (v >= 512 && v <= 65_000 ? undefined : 'must be between 512 and 65000 (a UDP datagram)')],
  maxTagsBytes: [
    posInt,
    (v, c) =>
      v <= c.packetBudgetBytes - 200 ? undefined : `must leave 200 bytes of packetBudgetBytes (${c.packetBudgetBytes}) for the rest of an alive message`,
  ],
  maxNameBytes: [posInt, (v) => (v <= 255 ? undefined : 'must be at most 255')],
  joinTimeoutMs: [posInt],
  joinAttempts: [posInt],
  reconnectIntervalMs: [nonNegInt],
  reapFailedAfterMs: [posInt],
  reapLeftAfterMs: [posInt],
  leaveTimeoutMs: [posInt],
  replayWindowMs: [
    nonNegInt,
    (v, c) =>
      v < Math.min(c.reapFailedAfterMs, c.reapLeftAfterMs)
        ? undefined
        : `must be less than reapFailedAfterMs (${c.reapFailedAfterMs}) and reapLeftAfterMs (${c.reapLeftAfterMs}), or 0 for no window`,
  ],
  awarenessMaxMultiplier: [posInt, (v) => (v <= 64 ? undefined : 'must be at most 64')],
  suspicionMaxTimeoutMult: [posNum, (v) => (v >= 1 ? undefined : 'must be at least 1')],
  confirmers: [nonNegInt, (v) => (v <= 8 ? undefined : 'must be at most 8')],
  readmitAfterMs: [nonNegInt],
  flapHalfLifeMs: [posInt],
  coordinateDimensions: [posInt, (v) => (v <= MAX_DIMENSIONS ? undefined : `must be at most ${MAX_DIMENSIONS}`)],
  userEventMaxBytes: [
    posInt,
    (v) => (v <= 16_384 ? undefined : 'must be at most 16384 (an event must also fit in one packet: bigger ones are refused when sent)'),
  ],
  userEventShare: [(v) => (Number.isFinite(v) && v > 0 && v < 1 ? undefined : 'must be a number between 0 and 1 (exclusive)')],
  userEventCoalesceMs: [nonNegInt],
  queryMaxBytes: [posInt, (v) => (v <= 16_384 ? undefined : 'must be at most 16384 (a query must also fit in one packet: bigger ones are refused when asked)')],
  queryResponseMaxBytes: [posInt, (v) => (v <= 16_384 ? undefined : 'must be at most 16384 (a response must also fit in one packet: bigger ones are refused)')],
  queryTimeoutMult: [posInt],
  userEventRetransmitMult: [posInt],
  userEventPackets: [nonNegInt, (v) => (v <= 64 ? undefined : 'must be at most 64')],
  userEventQueueMax: [posInt],
  userEventBuffer: [posInt, (v) => (v <= 1_000_000 ? undefined : 'must be at most 1000000')],
};

/**
 * Merge a profile with overrides and check every field; throws ERR_CONFIG naming every bad
 * field at once (and any unknown field, which is almost always a typo).
 */
export function resolveConfig(overrides: Partial<Record<string, unknown>> = {}, profile: ProfileName = 'lan'): ProtocolConfig {
  const base = profiles[profile];
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in base)) {
      problems.push(`${key}: unknown setting (known: ${Object.keys(base).join(', ')})`);
      continue;
    }
    merged[key] = value;
  }
  for (const key of Object.keys(base) as (keyof ProtocolConfig)[]) {
    const value = merged[key];
    if (BOOLEAN_FIELDS.has(key)) {
      if (typeof value !== 'boolean') problems.push(`${key}: must be true or false, got ${JSON.stringify(value)}`);
      continue;
    }
    if (typeof value !== 'number') {
      problems.push(`${key}: must be a number, got ${JSON.stringify(value)}`);
      continue;
    }
    for (const rule of rules[key] ?? []) {
      const why = rule(value, merged as unknown as ProtocolConfig);
      if (why) {
        problems.push(`${key} (${value}): ${why}`);
        break;
      }
    }
  }
  if (problems.length > 0) throw new ClusterError('ERR_CONFIG', `invalid config: ${problems.join('; ')}`);
  return Object.freeze(merged as unknown as ProtocolConfig);
}

/** Check a complete config; same errors as resolveConfig. */
export function validateConfig(config: ProtocolConfig): ProtocolConfig {
  return resolveConfig(config as unknown as Record<string, unknown>, 'lan');
}
