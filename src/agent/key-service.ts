/**
 * Cluster-wide key management (`phantom keys`), beside the protocol core rather than in it: the
 * core has no request/response channel, so this service sends its own datagrams (SealKind.keys,
 * sealed with the current primary key) on the agent's socket, and the agent routes incoming
 * ones here before the Driver sees them.
 *
 * A request is applied here first (so removing our own primary key is refused before anything
 * is sent), then sent straight to every member we hold alive or suspect, and re-sent with
 * doubling waits (`retryMs`, 2×, 4×...) to those that have not answered, until all did or
 * `timeoutMs` passed: at most 4 × (n − 1) datagrams with the defaults. The result says how many
 * members answered, which failed and why, and which never answered.
 * Direct fan-out costs n small datagrams from one agent, once per operator command: simpler to
 * reason about than a gossiped query, and every member gets the request from a known sender.
 *
 * Who may ask: holding a key is not enough. A request is applied only when it comes from a
 * member we hold alive or suspect, from that member's address; an answer counts only from the
 * member asked, at the address we asked, once. Anything else is a counted drop (`keys-sender`).
 * One operation runs at a time per agent; another is refused with ERR_KEYS_BUSY.
 */
import { randomBytes } from 'node:crypto';
import type { Address } from '../core/types.js';
import { ClusterError } from '../errors.js';
import { SealKind } from '../wire/crypto.js';
import type { Envelope } from '../wire/envelope.js';
import { fingerprint, parseKey, type Keyring } from '../wire/keyring.js';
import { decodeKeyMessage, encodeKeyMessage, KEYS_MAX_SKEW_MS, type KeyOp, type KeyRequest, type KeyResponse } from './keys-protocol.js';

/** What one cluster-wide key operation came to. */
export interface KeyOpResult {
  readonly op: KeyOp;
  /** Members asked, ourselves included. */
  readonly members: number;
  /** Members that answered (ok or not), ourselves included. */
  readonly answered: number;
  /** Members that answered with an error: name -> message. */
  readonly failed: Readonly<Record<string, string>>;
  /** Members that did not answer within the timeout. */
  readonly missing: readonly string[];
  /** Applied on this agent only (`--local`): nothing was sent. */
  readonly local?: true;
  /** For list: each key (base64; a 16-hex-digit fingerprint for a key this agent does not hold) -> how many members hold it. */
  readonly keys?: Readonly<Record<string, number>>;
  /** For list: each key -> how many members seal with it. */
  readonly primaries?: Readonly<Record<string, number>>;
}

export interface KeyServiceDeps {
  readonly name: string;
  readonly keyring: Keyring;
  readonly envelope: Envelope;
  send(to: Address, bytes: Uint8Array): void;
  /** Members to ask (not ourselves): those we hold alive or suspect. */
  peers(): readonly { name: string; address: Address }[];
  /** The address of a member we hold alive or suspect (not ourselves), else undefined. */
  peerAddress(name: string): Address | undefined;
  /** Wall clock (ms since the epoch), for replay checks. */
  wallNow(): number;
  /** A datagram of ours refused: reason for the drop counters. */
  onDrop?(reason: string): void;
}

export interface KeyServiceOptions {
  /** Give up on members that have not answered after this long (ms). Default 5000. */
  readonly timeoutMs?: number;
  /** First re-send to members that have not answered after this long (ms), then doubling. Default 500. */
  readonly retryMs?: number;
}

/** Request ids remembered at most (oldest forgotten first). */
const MAX_REMEMBERED = 1024;

interface Pending {
  readonly waiting: Map<string, Address>;
  readonly answers: Map<string, KeyResponse>;
  readonly done: () => void;
}

export class KeyService {
  private readonly pending = new Map<string, Pending>();
  /** Answers we gave, by asker and request id, so a re-sent request is not applied twice. */
  private readonly answered = new Map<string, { res: KeyResponse; at: number }>();
  private readonly timeoutMs: number;
  private readonly retryMs: number;
  /** The operation in progress, if any: one at a time. */
  private busy: KeyOp | undefined;

  constructor(
    private readonly deps: KeyServiceDeps,
    opts: KeyServiceOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retryMs = opts.retryMs ?? 500;
  }

  /**
   * Apply `op` here, then on every live member (only here with `local`). Throws ERR_KEY /
   * ERR_KEY_PRIMARY / ERR_KEY_NOT_INSTALLED / ERR_KEYRING_FULL when it fails here,
   * ERR_KEY_NOT_EVERYWHERE / ERR_KEY_IN_USE when it would split the cluster, ERR_KEYS_BUSY
   * while another operation runs: nothing has changed anywhere then.
   */
  async run(op: KeyOp, key?: string, opts: { local?: boolean } = {}): Promise<KeyOpResult> {
    if (op !== 'list' && key === undefined) throw new ClusterError('ERR_ARGUMENT', `keys ${op} needs a key`);
    const text = key === undefined ? undefined : parseKey(key).toString('base64'); // ERR_KEY before anything else
    if (opts.local) return this.runLocal(op, text);
    if (this.busy)
      throw new ClusterError(
        'ERR_KEYS_BUSY',
        `another key operation (${this.busy}) is running on this agent; retry when it has finished (at most ${Math.ceil((2 * this.timeoutMs) / 1000)} s)`,
      );
    this.busy = op;
    try {
      if (op === 'use') await this.checkEveryoneHolds(text!);
      if (op === 'remove') await this.checkNobodySealsWith(text!);
      const mine = this.apply(op, text); // throws on local misuse, before anything spreads
      const fp = text === undefined ? undefined : fingerprint(parseKey(text));
      const req = this.request(op, op === 'install' ? { key: text! } : fp !== undefined ? { fp } : {});
      return summarize(op, await this.fanOut(req, mine), this.deps.keyring);
    } finally {
      this.busy = undefined;
    }
  }

  /** `phantom keys ... --local`: this agent only, nothing sent (installing a key out of band). */
  private runLocal(op: KeyOp, key: string | undefined): KeyOpResult {
    const mine = this.apply(op, key);
    const answers = new Map([[this.deps.name, this.response('local', mine)]]);
    return { ...summarize(op, { asked: 1, answers, missing: [] }, this.deps.keyring), local: true };
  }

  /** `use` only once every live member can open what the new primary seals. */
  private async checkEveryoneHolds(key: string): Promise<void> {
    this.deps.keyring.assertInstalled(key);
    const fp = fingerprint(parseKey(key));
    const round = await this.fanOut(this.request('list', {}), this.deps.keyring.fingerprints());
    const without = [...round.answers.values()].filter((a) => !a.keys?.includes(fp)).map((a) => a.from);
    if (without.length === 0 && round.missing.length === 0) return;
    throw new ClusterError(
      'ERR_KEY_NOT_EVERYWHERE',
      `refusing to use the key: ${round.asked - without.length - round.missing.length} of ${round.asked} members hold it${describe(without, ['does not hold it', 'do not hold it'])}${describe(round.missing, ['did not answer', 'did not answer'])}. ` +
        'A member that seals with a key another cannot open is cut off from it. Install it there first (phantom keys install KEY), or wait until a member that is gone is marked failed, then run use again',
    );
  }

  /** `remove` only once no live member seals with the key any more. */
  private async checkNobodySealsWith(key: string): Promise<void> {
    this.deps.keyring.assertRemovable(key); // our own primary: ERR_KEY_PRIMARY
    const fp = fingerprint(parseKey(key));
    const round = await this.fanOut(this.request('list', {}), this.deps.keyring.fingerprints());
    const sealing = [...round.answers.values()].filter((a) => a.keys?.[0] === fp).map((a) => a.from);
    if (sealing.length === 0 && round.missing.length === 0) return;
    throw new ClusterError(
      'ERR_KEY_IN_USE',
      `refusing to remove the key${describe(sealing, ['still seals with it', 'still seal with it'])}${describe(round.missing, ['did not answer', 'did not answer'])}. ` +
        'Removing it elsewhere would cut those members off. Run phantom keys use NEWKEY first, or wait until a member that is gone is marked failed, then run remove again',
    );
  }

  private request(op: KeyOp, what: { key?: string; fp?: string }): KeyRequest {
    return { t: 'req', id: randomBytes(8).toString('hex'), op, from: this.deps.name, at: this.deps.wallNow(), ...what };
  }

  private response(id: string, keys: readonly string[] | undefined): KeyResponse {
    return { t: 'res', id, from: this.deps.name, ok: true, ...(keys ? { keys } : {}) };
  }

  /** Send `req` to every live member, re-send to the silent ones, collect what they answer. */
  private async fanOut(req: KeyRequest, mine: readonly string[] | undefined): Promise<Round> {
    const waiting = new Map(
      this.deps
        .peers()
        .filter((p) => p.name !== this.deps.name)
        .map((p) => [p.name, p.address] as const),
    );
    const answers = new Map<string, KeyResponse>([[this.deps.name, this.response(req.id, mine)]]);
    const asked = waiting.size + 1;
    await new Promise<void>((resolve) => {
      let retry: NodeJS.Timeout | undefined;
      let wait = this.retryMs;
      const finish = (): void => {
        clearTimeout(retry);
        clearTimeout(timer);
        this.pending.delete(req.id);
        resolve();
      };
      const bytes = (): Uint8Array => this.deps.envelope.wrap(SealKind.keys, encodeKeyMessage(req));
      const sendAll = (): void => {
        // Sealed anew each time: after `use`, re-sends go out under the new primary.
        for (const addr of waiting.values()) this.deps.send(addr, bytes());
        // Doubling waits: a member that is down costs a few datagrams, not one per retryMs.
        retry = setTimeout(sendAll, wait);
        wait *= 2;
      };
      this.pending.set(req.id, { waiting, answers, done: finish });
      const timer = setTimeout(finish, this.timeoutMs);
      if (waiting.size === 0) return finish();
      sendAll();
    });
    return { asked, answers, missing: [...waiting.keys()].sort() };
  }

  /** A SealKind.keys datagram from `from`. Never throws; bad ones are counted drops. */
  receive(from: Address, bytes: Uint8Array): void {
    const r = this.deps.envelope.unwrap(bytes);
    if (!r.ok) return this.deps.onDrop?.(r.reason);
    if (r.value.kind !== SealKind.keys || !r.value.sealed) return this.deps.onDrop?.('keys-bad');
    const m = decodeKeyMessage(r.value.body);
    if (!m) return this.deps.onDrop?.('keys-bad');
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      const asked = p?.waiting.get(m.from);
      if (!p || asked === undefined) return; // late, repeated, or never asked: nothing to count
      if (asked !== from) return this.deps.onDrop?.('keys-sender');
      p.waiting.delete(m.from);
      p.answers.set(m.from, m);
      if (p.waiting.size === 0) p.done();
      return;
    }
    if (m.from === this.deps.name || this.deps.peerAddress(m.from) !== from) return this.deps.onDrop?.('keys-sender');
    const now = this.deps.wallNow();
    this.forgetOld(now);
    if (Math.abs(now - m.at) > KEYS_MAX_SKEW_MS) return this.deps.onDrop?.('keys-stale');
    const seen = `${m.from}/${m.id}`;
    let res = this.answered.get(seen)?.res;
    if (!res) {
      res = this.answer(m);
      this.answered.set(seen, { res, at: now });
      if (this.answered.size > MAX_REMEMBERED) this.answered.delete(this.answered.keys().next().value!);
    }
    this.deps.send(from, this.deps.envelope.wrap(SealKind.keys, encodeKeyMessage(res)));
  }

  private answer(m: KeyRequest): KeyResponse {
    const base = { t: 'res' as const, id: m.id, from: this.deps.name };
    try {
      const ring = this.deps.keyring;
      // use/remove name the key by fingerprint: a key we do not hold cannot be used, and is
      // already removed.
      const key = m.fp === undefined ? m.key : ring.keyOf(m.fp);
      if (m.op === 'remove' && key === undefined) return { ...base, ok: true };
      if (m.op === 'use' && key === undefined)
        throw new ClusterError('ERR_KEY_NOT_INSTALLED', `key ${m.fp} is not installed on this agent; install it first (phantom keys install KEY)`);
      const keys = this.apply(m.op, key);
      return { ...base, ok: true, ...(keys ? { keys } : {}) };
    } catch (e) {
      return { ...base, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Apply one op to our keyring; list returns our fingerprints. Throws ClusterError on misuse. */
  private apply(op: KeyOp, key: string | undefined): readonly string[] | undefined {
    const ring = this.deps.keyring;
    switch (op) {
      case 'list':
        return ring.fingerprints();
      case 'install':
        ring.install(key!);
        return undefined;
      case 'use':
        ring.use(key!);
        return undefined;
      case 'remove':
        ring.remove(key!);
        return undefined;
    }
  }

  private forgetOld(now: number): void {
    for (const [id, a] of this.answered) {
      if (now - a.at <= 2 * KEYS_MAX_SKEW_MS) break; // insertion order = age order
      this.answered.delete(id);
    }
  }

  /** Stop waiting on every request in flight (agent shutdown). */
  close(): void {
    for (const p of [...this.pending.values()]) p.done();
  }
}

interface Round {
  /** Members asked, ourselves included. */
  readonly asked: number;
  readonly answers: Map<string, KeyResponse>;
  readonly missing: string[];
}

/** "; 2 (a, b) do not hold it" for a non-empty list of names: `what` as [one, many]. */
function describe(names: readonly string[], what: readonly [string, string]): string {
  if (names.length === 0) return '';
  const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')}, ...` : names.join(', ');
  return `; ${names.length} (${shown}) ${names.length === 1 ? what[0] : what[1]}`;
}

function summarize(op: KeyOp, round: Round, ring: Keyring): KeyOpResult {
  const failed: Record<string, string> = {};
  for (const a of round.answers.values()) if (!a.ok) failed[a.from] = a.error ?? 'failed';
  const result: KeyOpResult = { op, members: round.asked, answered: round.answers.size, failed, missing: round.missing };
  if (op !== 'list') return result;
  // Answers name keys by fingerprint; show the key itself where this agent holds it.
  const shown = (fp: string): string => ring.keyOf(fp) ?? fp;
  const keys: Record<string, number> = {};
  const primaries: Record<string, number> = {};
  for (const a of round.answers.values()) {
    if (!a.ok || !a.keys) continue;
    a.keys.forEach((fp, i) => {
      const k = shown(fp);
      keys[k] = (keys[k] ?? 0) + 1;
      if (i === 0) primaries[k] = (primaries[k] ?? 0) + 1;
    });
  }
  return { ...result, keys, primaries };
}
