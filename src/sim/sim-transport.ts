/**
 * The simulator's network as standalone endpoints in real time: each endpoint is a bare slot of
 * a Simulation (Simulation.endpoint), so datagrams take the simulator's own path (its network's
 * latency, jitter and loss, its event queue, its delivery through Transport.onPacket), and the
 * virtual clock is run forward on the next turn of the event loop whenever a datagram is sent.
 * The transport contract suite runs against it and UDP.
 */
import type { Address } from '../core/types.js';
import type { Transport } from '../transport/transport.js';
import { Simulation } from './simulation.js';

export interface SimHubInit {
  /** Probability in [0, 1] that one datagram is lost. Default 0. */
  readonly loss?: number;
  /** Seed of the network's draws (delays, losses). Default 1. */
  readonly seed?: number;
  /** Largest datagram delivered (bytes); larger ones are lost, like an oversize UDP send. Default 65,507. */
  readonly maxDatagramBytes?: number;
}

/** Virtual time run per turn of the event loop: far more than any link's delay (1–5 ms). */
const RUN_MS = 1000;

/** A set of endpoints on one simulated network that can reach each other by address. */
export class SimHub {
  readonly sim: Simulation;
  private scheduled = false;

  constructor(private readonly init: SimHubInit = {}) {
    this.sim = new Simulation({ nodes: 0, seed: init.seed ?? 1, loss: init.loss ?? 0 });
  }

  /** A new endpoint at a new simulated address. */
  transport(): Transport {
    const t = this.sim.endpoint(this.sim.add());
    const max = this.init.maxDatagramBytes ?? 65_507;
    return {
      address: t.address,
      send: (to: Address, bytes: Uint8Array) => {
        if (bytes.length > max) return;
        t.send(to, bytes);
        this.pump();
      },
      onPacket: (h) => t.onPacket(h),
      close: () => t.close(),
    };
  }

  /** Deliver what is in flight, on the next turn of the event loop (sends stay asynchronous). */
  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sim.run(RUN_MS);
    });
  }
}
