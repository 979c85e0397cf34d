/**
 * The sealing codec: the same Codec interface, with the envelope (label + AES-256-GCM) around
 * every packet, so the Driver and the simulator use it unchanged. Drops come back as the usual
 * Result reasons ('label', 'auth', 'unknown-key', 'plaintext', ...), and the Driver counts them.
 *
 * `sizeOf` stays the plain message size: the seal and the label add a fixed
 * `envelope.overheadBytes` per packet (38 + label frame), not per message, so the core's
 * packet budget (1400 B by default) still keeps datagrams under a 1500-byte MTU over IPv4 with
 * labels up to 32 bytes.
 */
import type { Codec } from './codec.js';
import { SealKind } from './crypto.js';
import { createEnvelope, type Envelope, type EnvelopeOptions } from './envelope.js';
import { err } from './result.js';

export type SecureOptions = EnvelopeOptions;

/** Wrap `codec` so packets are labelled and sealed per `opts` (or `envelope` when shared). */
export function createSecureCodec(codec: Codec, opts: SecureOptions | Envelope): Codec {
  const env = 'unwrap' in opts ? opts : createEnvelope(opts);
  return {
    sizeOf: codec.sizeOf,
    encode: (messages) => env.wrap(SealKind.gossip, codec.encode(messages)),
    decode(bytes) {
      const r = env.unwrap(bytes);
      if (!r.ok) return r;
      if (r.value.kind !== SealKind.gossip) return err('unknown-type', `sealed kind ${r.value.kind}`);
      return codec.decode(r.value.body);
    },
  };
}
