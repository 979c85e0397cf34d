/**
 * What sits between the agent's socket and its Driver, outside the protocol core:
 * - key-management datagrams (SealKind.keys) go to the KeyService, everything else to the Driver;
 * - "wrong cluster" notices: when the Driver drops a datagram because its label, key or lack of
 *   seal does not match ours, we tell the sender in two unauthenticated bytes
 *   `[NOTICE_MARK, code]`, so that a join to the wrong cluster fails with an error that says why
 *   instead of a bare timeout. A notice only ever changes the text of an error message, it is
 *   smaller than what provoked it (no amplification), and it is rate-limited per address and
 *   overall, so it cannot be turned into a flood.
 */
import type { Address } from '../core/types.js';
import type { Transport } from '../transport/transport.js';
import { SealKind } from '../wire/crypto.js';
import type { Envelope } from '../wire/envelope.js';

/** First byte of a notice: neither a protocol version, a seal nor a label frame. */
export const NOTICE_MARK = 0xf5;
/** Notice codes. APPEND ONLY: the values are the protocol. */
export const NoticeCode = { label: 1, key: 2, plaintext: 3, clock: 4, full: 5 } as const;
type NoticeCodeValue = (typeof NoticeCode)[keyof typeof NoticeCode];

const NOTICE_TEXT: Record<number, string> = {
  [NoticeCode.label]: 'its cluster label differs from ours (check --cluster-label)',
  [NoticeCode.key]: 'it cannot open our packets: a different encryption key, or it runs without encryption (check --encrypt / --keyring)',
  [NoticeCode.plaintext]: 'it requires encrypted packets and ours are plaintext (check --encrypt and --verify-outgoing)',
  [NoticeCode.clock]: 'its clock and ours differ by more than the replay window (check NTP on both hosts; --set replayWindowMs)',
  [NoticeCode.full]: 'its member table is full, so it cannot take us in (its maxMembers; or a flood of made-up members fills it)',
};

/** Notices sent at most per address per this long (ms), and at most this many per second overall. */
const PER_ADDRESS_MS = 5000;
const PER_SECOND = 20;
const REMEMBER = 1024;

export interface WireRouterDeps {
  readonly envelope: Envelope;
  /** A SealKind.keys datagram. */
  onKeys(from: Address, bytes: Uint8Array): void;
  /** Monotonic clock (ms) for the rate limits. */
  now(): number;
}

export class WireRouter {
  /**
   * Notices heard: address -> why that agent refused our packets; and when we last told each
   * address. Made at first use: most agents never hear or send one, and the simulator runs 10,000.
   */
  private heard: Map<Address, number> | undefined;
  private sentTo: Map<Address, number> | undefined;
  private windowStart = 0;
  private windowCount = 0;
  /** Notices sent and heard, for stats. */
  readonly counts = { noticesSent: 0, noticesHeard: 0 };

  constructor(
    private readonly socket: Transport,
    private readonly deps: WireRouterDeps,
  ) {}

  /** The transport to give the Driver: same socket, key datagrams and notices taken out. */
  transport(): Transport {
    const socket = this.socket;
    return {
      address: socket.address,
      send: (to, bytes) => socket.send(to, bytes),
      onPacket: (h) =>
        socket.onPacket((from, bytes) => {
          if (bytes[0] === NOTICE_MARK) return this.hear(from, bytes);
          if (this.deps.envelope.peekKind(bytes) === SealKind.keys) return this.deps.onKeys(from, bytes);
          h(from, bytes);
        }),
      close: () => socket.close(),
    };
  }

  /** The Driver dropped a datagram from `from` for `reason`: tell the sender when it is a mismatch. */
  dropped(from: Address, reason: string): void {
    const code: NoticeCodeValue | undefined =
      reason === 'label'
        ? NoticeCode.label
        : reason === 'unknown-key' || reason === 'auth'
          ? NoticeCode.key
          : reason === 'plaintext'
            ? NoticeCode.plaintext
            : reason === 'stale'
              ? NoticeCode.clock
              : reason === 'member-cap'
                ? NoticeCode.full
                : undefined;
    if (code === undefined) return;
    const now = this.deps.now();
    const sentTo = (this.sentTo ??= new Map());
    if (now - (sentTo.get(from) ?? -Infinity) < PER_ADDRESS_MS) return;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount >= PER_SECOND) return;
    this.windowCount++;
    sentTo.delete(from);
    sentTo.set(from, now);
    if (sentTo.size > REMEMBER) sentTo.delete(sentTo.keys().next().value!);
    this.counts.noticesSent++;
    this.socket.send(from, Uint8Array.of(NOTICE_MARK, code));
  }

  /** Why `addr` refused our packets, if it told us. */
  refusal(addr: Address): string | undefined {
    const code = this.heard?.get(addr);
    return code === undefined ? undefined : NOTICE_TEXT[code];
  }

  private hear(from: Address, bytes: Uint8Array): void {
    const code = bytes[1];
    if (bytes.length !== 2 || code === undefined || NOTICE_TEXT[code] === undefined) return;
    this.counts.noticesHeard++;
    const heard = (this.heard ??= new Map());
    heard.delete(from);
    heard.set(from, code);
    if (heard.size > REMEMBER) heard.delete(heard.keys().next().value!);
  }
}
