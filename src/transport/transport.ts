/**
 * The one thing the agent needs from a network: send bytes to an address, and be told of bytes
 * that arrive. UDP (transport/udp.ts) and the simulator's network both implement it, and both
 * pass the same contract tests.
 */
import type { Address } from '../core/types.js';

export interface Transport {
  /** The address others reach this transport at. */
  readonly address: Address;
  /** Fire and forget: datagrams may be lost, and the protocol expects that. Never throws. */
  send(to: Address, bytes: Uint8Array): void;
  /** Set the single receiver of incoming datagrams. */
  onPacket(handler: (from: Address, bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}
