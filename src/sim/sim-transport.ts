/**
 * The simulated network as a standalone Transport, for code that wants the simulator's
 * semantics without a Simulation: every datagram is copied (so a sender reusing its buffer
 * cannot change what arrives), delivered asynchronously, never to a closed endpoint, and lost
 * with the hub's `loss` probability. The transport contract suite runs against it and UDP.
 */
import type { Address, Random } from '../core/types.js';
import type { Transport } from '../transport/transport.js';

export interface SimHubInit {
  /** Probability in [0, 1] that one datagram is lost. */
  readonly loss?: number;
  /** Needed when loss > 0: the draws that decide losses. */
  readonly random?: Random;
  /** Largest datagram delivered (bytes); larger ones are lost, like an oversize UDP send. */
  readonly maxDatagramBytes?: number;
}

/** A set of in-memory endpoints that can reach each other by address. */
export class SimHub {
  private readonly endpoints = new Map<Address, (from: Address, bytes: Uint8Array) => void>();
  private nextPort = 1;
  /** Datagrams handed to send() and datagrams delivered. */
  readonly counts = { sent: 0, delivered: 0 };

  constructor(private readonly init: SimHubInit = {}) {}

  /** A new endpoint; `address` defaults to a fresh `sim:N`. */
  transport(address: Address = `sim:${this.nextPort++}`): Transport {
    const hub = this;
    let handler: (from: Address, bytes: Uint8Array) => void = () => {};
    let open = true;
    hub.endpoints.set(address, (from, bytes) => handler(from, bytes));
    return {
      address,
      send(to, bytes) {
        if (!open) return;
        hub.counts.sent++;
        const loss = hub.init.loss ?? 0;
        if (loss > 0 && (hub.init.random?.next() ?? 0) < loss) return;
        if (bytes.length > (hub.init.maxDatagramBytes ?? 65_507)) return;
        const copy = Uint8Array.prototype.slice.call(bytes);
        setImmediate(() => {
          const deliver = hub.endpoints.get(to);
          if (!deliver) return;
          hub.counts.delivered++;
          deliver(address, copy);
        });
      },
      onPacket(h) {
        handler = h;
      },
      async close() {
        if (!open) return;
        open = false;
        hub.endpoints.delete(address);
      },
    };
  }
}
