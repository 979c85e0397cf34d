/**
 * One agent's Vivaldi state: its own coordinate, updated from each direct probe's RTT and the
 * probed peer's coordinate (carried in its ack), and the coordinates last heard from peers.
 * Pure: the RTT is measured by the caller from the `now` values it is given.
 */
import {
  applyForce,
  compatible,
  coordFromWire,
  coordToWire,
  DEFAULT_TUNING,
  estimateRttMs,
  isSane,
  MAX_RTT_MS,
  origin,
  rawDistanceMs,
  type Coordinate,
  type VivaldiTuning,
} from './coordinate.js';
import * as M from './messages.js';
import type { Random } from './types.js';

export class Vivaldi {
  private own: Coordinate;
  private readonly peers = new Map<string, Coordinate>();
  /** Recent RTT samples per peer, for the median filter. */
  private readonly samples = new Map<string, number[]>();
  /** Recent (measured - estimated) differences, for the adjustment term. */
  private readonly residuals: number[] = [];
  private residualAt = 0;
  /** Updates applied, and samples refused (nonsense RTT, a peer in another space). */
  updates = 0;
  refused = 0;
  resets = 0;

  constructor(
    private readonly random: Random,
    readonly tuning: VivaldiTuning = DEFAULT_TUNING,
  ) {
    this.own = origin(tuning.dimensions, tuning.errorMax);
  }

  get coordinate(): Coordinate {
    return this.own;
  }

  /** The coordinate `name` last told us (undefined: none heard, or another dimensionality). */
  peer(name: string): Coordinate | undefined {
    return this.peers.get(name);
  }

  /** Every peer coordinate we hold. */
  peerEntries(): IterableIterator<[string, Coordinate]> {
    return this.peers.entries();
  }

  /** Remember a peer's coordinate without a measurement (it pinged us with it). */
  remember(name: string, c: Coordinate): void {
    if (isSane(c) && compatible(c, this.own)) this.peers.set(name, c);
  }

  forget(name: string): void {
    this.peers.delete(name);
    this.samples.delete(name);
  }

  /** Estimated RTT from us to `name` (ms), or undefined when we have no coordinate for it. */
  estimateTo(name: string): number | undefined {
    const c = this.peers.get(name);
    return c === undefined ? undefined : estimateRttMs(this.own, c);
  }

  /** A direct probe of `name` came back after `rttMs` with `their` coordinate. */
  observe(name: string, their: Coordinate, rttMs: number): void {
    if (!(rttMs >= 0 && rttMs <= MAX_RTT_MS) || !isSane(their) || !compatible(their, this.own)) {
      this.refused++;
      return;
    }
    this.peers.set(name, their);
    const rtt = Math.max(rttMs, 0.001);
    const filtered = this.filter(name, rtt);
    this.update(their, filtered);
    this.adjust(their, filtered);
    this.gravity();
    if (!isSane(this.own)) {
      // Numbers ran away (should not happen with sane inputs): start over rather than poison peers.
      this.own = origin(this.tuning.dimensions, this.tuning.errorMax);
      this.resets++;
    }
    this.updates++;
  }

  private filter(name: string, rtt: number): number {
    let s = this.samples.get(name);
    if (!s) this.samples.set(name, (s = []));
    s.push(rtt);
    if (s.length > this.tuning.latencyFilter) s.shift();
    const sorted = [...s].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }

  private update(their: Coordinate, rtt: number): void {
    const t = this.tuning;
    const dist = rawDistanceMs(this.own, their);
    const ours = Math.max(this.own.error, ZERO_ERROR);
    const weight = ours / (ours + Math.max(their.error, ZERO_ERROR));
    const sampleError = Math.abs(dist - rtt) / rtt;
    const error = Math.min(t.errorMax, t.ce * weight * sampleError + this.own.error * (1 - t.ce * weight));
    const moved = applyForce(this.own, t.cc * weight * (rtt - dist), their, this.random);
    this.own = { ...moved, error };
  }

  private adjust(their: Coordinate, rtt: number): void {
    const w = this.tuning.adjustmentWindow;
    if (w === 0) return;
    this.residuals[this.residualAt] = rtt - rawDistanceMs(this.own, their);
    this.residualAt = (this.residualAt + 1) % w;
    let sum = 0;
    for (const r of this.residuals) sum += r;
    // Half: the other end adds its own adjustment to every estimate between us.
    this.own = { ...this.own, adjustment: sum / (2 * w) };
  }

  private gravity(): void {
    const centre = origin(this.tuning.dimensions);
    const dist = rawDistanceMs(this.own, centre);
    const pull = -((dist / this.tuning.gravityRhoMs) ** 2);
    this.own = applyForce(this.own, pull, centre, this.random);
  }
}

const ZERO_ERROR = 1e-6;

/**
 * Vivaldi on the wire: our coordinate as a `coord` companion (encoded once per move, so the
 * codec's per-message cache holds), and the companions that ride in the packets we receive.
 */
export class CoordinateExchange {
  private wire: M.Coord | undefined;

  constructor(readonly vivaldi: Vivaldi) {}

  /** Our coordinate, to ride with a direct ping or ack. */
  companion(): M.Coord {
    return (this.wire ??= coordToWire(this.vivaldi.coordinate));
  }

  /** A ping from live member `name`: remember its coordinate, if one rode along. */
  heardPing(name: string, packet: readonly M.Message[]): void {
    const c = coordIn(packet);
    if (c) this.vivaldi.remember(name, c);
  }

  /** Our direct probe of `name` was acked after `rttMs`: a Vivaldi step, if its coordinate rode along. */
  directAck(name: string, packet: readonly M.Message[], rttMs: number): void {
    const c = coordIn(packet);
    if (!c) return;
    this.vivaldi.observe(name, c, rttMs);
    this.wire = undefined;
  }
}

function coordIn(packet: readonly M.Message[]): Coordinate | undefined {
  for (const m of packet) if (m.type === M.MsgType.Coord) return coordFromWire(m);
  return undefined;
}
