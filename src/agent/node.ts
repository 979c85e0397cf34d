/**
 * The composition root: the one function that builds the node a production agent runs and the
 * simulator runs a thousand of. Only the transport, the scheduler, the randomness and the wall
 * clock differ between the two; everything between the socket and the core is built here, once:
 *
 *   transport -> wire router (notices, key datagrams) -> Driver
 *   Driver's codec = observer's counting codec -> member guard -> envelope (label + seal) -> msgpack
 *   Driver's notes -> the observer (the one owner of the counters) -> router (notices), caller
 *
 * What an operator needs around it (history, snapshot, typed events, log monitors) stays in the
 * agent (agent.ts); what a simulation measures stays in the Simulation.
 *
 * Per-node cost matters (the simulator runs 10,000): immutable parts are shared (the plain codec
 * and its encoding cache, the silent logger), per-packet hooks for tracing exist only when the
 * logger is at trace when the node is built.
 */
import { pino } from 'pino';
import type { ProtocolConfig } from '../config.js';
import { isLive, type Address, type Random, type Tags } from '../core/types.js';
import type { Scheduler } from '../runtime/scheduler.js';
import type { Transport } from '../transport/transport.js';
import { createCodec, type Codec } from '../wire/codec.js';
import { SEAL_VERSION } from '../wire/crypto.js';
import { createEnvelope, LABEL_MARK, type Envelope } from '../wire/envelope.js';
import type { Keyring } from '../wire/keyring.js';
import { createSecureCodec } from '../wire/secure.js';
import { Driver, type DriverDeps } from './driver.js';
import { KeyService } from './key-service.js';
import type { Logger } from './log.js';
import { createMemberGuard, DEFAULT_MAX_MEMBERS } from './member-guard.js';
import { Observer } from './observe.js';
import { WireRouter } from './wire-router.js';

/** Keys and label: the envelope around every datagram (wire/envelope.ts). */
export interface NodeSecurity {
  /** Keys to seal and open with; none = plaintext. */
  readonly keyring?: Keyring | undefined;
  /** Cluster label; '' or undefined = none. */
  readonly label?: string | undefined;
  /** With a keyring: drop plaintext (default true). */
  readonly verifyIncoming?: boolean | undefined;
  /** With a keyring: seal what we send (default true). */
  readonly verifyOutgoing?: boolean | undefined;
}

/** Bounds on what remote peers can make the node remember (member-guard.ts). */
export interface NodeLimits {
  /** Most members the table may hold, ourselves included. Default DEFAULT_MAX_MEMBERS (16,384). */
  readonly maxMembers?: number;
}

export interface NodeInit {
  readonly name: string;
  readonly tags?: Tags;
  readonly incarnation?: number;
  readonly config: ProtocolConfig;
  readonly security?: NodeSecurity;
  readonly limits?: NodeLimits;
}

/**
 * What the node runs on, plus the Driver's hooks (cookieHash, onEvent, onUserEvent, onQuery,
 * onNote, onSend): each is called after the observer counted and logged what it reports.
 */
export interface NodeDeps extends Pick<DriverDeps, 'cookieHash' | 'onEvent' | 'onUserEvent' | 'onQuery' | 'onNote' | 'onSend'> {
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly random: Random;
  /** Wall clock (ms since 1970) that stamps and checks seals and key requests. Default Date.now. */
  readonly wallClock?: () => number;
  /** Where the observer logs. Default: one shared silent logger (nothing per node, nothing per line). */
  readonly log?: Logger;
  /**
   * The packet codec under the member guard, replacing the envelope and the plain codec: for
   * callers that bring their own sealing (the simulator's `codec` option). Default: the shared
   * plain codec inside the envelope built from `security`.
   */
  readonly codec?: Codec;
  /**
   * Share decodings between the nodes of this process (codec.ts, `shareDecoded`): an update
   * gossiped to every agent of a simulation is decoded and encoded once. Default false: a real
   * agent is alone in its process and would only keep the cache.
   */
  readonly shareDecoded?: boolean;
}

/** One node: the Driver and the parts around it, each readable for stats and tests. */
export interface Node {
  readonly driver: Driver;
  /** The one owner of the node's counters (drops, probes failed, suspicions, refutations...). */
  readonly observer: Observer;
  readonly router: WireRouter;
  readonly envelope: Envelope;
  readonly keyring: Keyring | undefined;
  /** Cluster-wide key operations; only with a keyring. */
  readonly keyService: KeyService | undefined;
  /** Stop the protocol and the key service. The transport is the caller's to close. */
  close(): void;
}

const sharedPlain: { own?: Codec; shared?: Codec } = {};
/** One plain codec for every node of the process: its encoding cache is shared too. */
function plainCodec(shareDecoded: boolean): Codec {
  return shareDecoded ? (sharedPlain.shared ??= createCodec({ shareDecoded: true })) : (sharedPlain.own ??= createCodec());
}

let sharedEnvelope: Envelope | undefined;
const sharedWire: { own?: Codec; shared?: Codec } = {};
/** The envelope without keys or label (it reads no clock: nothing is sealed or checked for age). */
function plainEnvelope(): Envelope {
  return (sharedEnvelope ??= createEnvelope({}));
}
/**
 * The plain codec inside that envelope: it still refuses labelled and sealed datagrams by their
 * reason ('label', 'unknown-key'); a plain packet, which that envelope passes unchanged both ways,
 * goes straight to the codec (no envelope result per datagram).
 */
function plainWireCodec(shareDecoded: boolean): Codec {
  const key = shareDecoded ? 'shared' : 'own';
  const cached = sharedWire[key];
  if (cached) return cached;
  const plain = plainCodec(shareDecoded);
  const enveloped = createSecureCodec(plain, plainEnvelope());
  return (sharedWire[key] = {
    sizeOf: plain.sizeOf,
    encode: plain.encode,
    decode: (bytes) => (bytes[0] === LABEL_MARK || bytes[0] === SEAL_VERSION ? enveloped.decode(bytes) : plain.decode(bytes)),
  });
}

let sharedSilent: Logger | undefined;
/** One logger that writes nothing, for nodes nobody reads the logs of. */
export function silentLogger(): Logger {
  return (sharedSilent ??= pino({ level: 'silent' }));
}

/** Build a node; starts its protocol at once (not joined). Throws as Driver (ERR_CONFIG, ERR_TAGS_TOO_LARGE). */
export function createNode(init: NodeInit, deps: NodeDeps): Node {
  const { config } = init;
  const security = init.security ?? {};
  const wallClock = deps.wallClock ?? Date.now;
  const observer = new Observer(deps.log ?? silentLogger());
  // No keys and no label: the envelope holds nothing of the node's, so every such node shares one.
  const plainWire = !security.keyring && !security.label;
  const envelope = plainWire
    ? plainEnvelope()
    : createEnvelope({
        keyring: security.keyring,
        label: security.label,
        verifyIncoming: security.verifyIncoming,
        verifyOutgoing: security.verifyOutgoing,
        replayWindowMs: config.replayWindowMs,
        clock: wallClock,
      });
  const socket = deps.transport;
  // Per-packet hooks only when trace is on at start: nothing on the hot path otherwise.
  const tracing = observer.tracing;
  const transport: Transport = tracing
    ? {
        address: socket.address,
        send: (to, bytes) => socket.send(to, bytes),
        onPacket: (h) =>
          socket.onPacket((from, bytes) => {
            observer.packetIn(from, bytes);
            h(from, bytes);
          }),
        close: () => socket.close(),
      }
    : socket;
  const late: { driver?: Driver; keyService?: KeyService } = {};
  const router = new WireRouter(transport, { envelope, onKeys: (from, bytes) => late.keyService?.receive(from, bytes), now: () => deps.scheduler.now() });
  const share = deps.shareDecoded === true;
  const wire = deps.codec ?? (plainWire ? plainWireCodec(share) : createSecureCodec(plainCodec(share), envelope));
  const guarded = createMemberGuard(
    wire,
    { maxMembers: init.limits?.maxMembers ?? DEFAULT_MAX_MEMBERS, maxNameBytes: config.maxNameBytes, maxTagsBytes: config.maxTagsBytes, exactCount: true },
    {
      has: (name) => late.driver!.core.has(name),
      count: () => late.driver!.core.size,
      now: () => deps.scheduler.now(),
      onDrop: (reason, n) => observer.drop(reason, n),
    },
  );
  const onSend = deps.onSend;
  const sendHook = tracing
    ? (to: Address, bytes: Uint8Array, n: number) => {
        observer.packetOut(to, bytes, n);
        onSend?.(to, bytes, n);
      }
    : onSend;
  const onNote = deps.onNote;
  const onEvent = deps.onEvent;
  const driver = new Driver(
    { name: init.name, tags: init.tags ?? {}, incarnation: init.incarnation ?? 0, config },
    {
      transport: router.transport(),
      scheduler: deps.scheduler,
      random: deps.random,
      codec: observer.countingCodec(guarded),
      ...(deps.cookieHash ? { cookieHash: deps.cookieHash } : {}),
      onEvent: (e) => {
        observer.event(e);
        onEvent?.(e);
      },
      ...(deps.onUserEvent ? { onUserEvent: deps.onUserEvent } : {}),
      ...(deps.onQuery ? { onQuery: deps.onQuery } : {}),
      onNote: (n) => {
        observer.note(n);
        if (n.kind === 'dropped') router.dropped(n.from, n.reason);
        onNote?.(n);
      },
      ...(sendHook ? { onSend: sendHook } : {}),
    },
  );
  late.driver = driver;
  const keyring = security.keyring;
  const keyService = keyring
    ? new KeyService({
        name: init.name,
        keyring,
        envelope,
        send: (to, bytes) => socket.send(to, bytes),
        peers: () =>
          driver
            .members()
            .filter((m) => isLive(m.state))
            .map((m) => ({ name: m.name, address: m.address })),
        peerAddress: (name) => {
          const m = name === init.name ? undefined : driver.core.member(name);
          return m && isLive(m.state) ? m.address : undefined;
        },
        wallNow: wallClock,
        onDrop: (reason) => observer.drop(reason, 1),
      })
    : undefined;
  late.keyService = keyService;
  return {
    driver,
    observer,
    router,
    envelope,
    keyring,
    keyService,
    close() {
      driver.close();
      keyService?.close();
    },
  };
}
