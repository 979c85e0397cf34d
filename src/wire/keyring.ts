/**
 * The keys an agent holds, as Serf's keyring: the primary key seals every outgoing datagram,
 * every installed key opens (found by the key id in the header, so opening never tries each
 * key). Rotation without downtime is install everywhere -> use everywhere -> remove the old key
 * everywhere: at each step every agent can open what every other agent seals.
 *
 * Keys are stored as base64 of 32 bytes (`phantom keygen`). Other agents are told about a key
 * they already hold by its fingerprint only (`use`, `remove`, `list`), so a key crosses the wire
 * only when it is installed. Misuse throws a ClusterError with a stable code; `onChange` hears
 * every change (the agent writes its keyring file from it).
 *
 * At most MAX_KEYS keys: each one is tried by id on every datagram and listed in every `keys
 * list` answer, and a rotation needs two at a time, so 16 leaves room for several rotations
 * under way without letting a keyring grow without bound.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ClusterError } from '../errors.js';
import { KEY_BYTES, sealKey, type SealKey } from './crypto.js';

/** Most keys one keyring holds. */
export const MAX_KEYS = 16;
/** Hex characters of a key fingerprint. */
export const FINGERPRINT_CHARS = 16;

/** A new random key, base64 (what `phantom keygen` prints). */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Decode a base64 key; ERR_KEY naming the problem unless it is exactly 32 bytes. The message
 * never quotes the text: a key with a typo is still most of a secret, and errors reach logs.
 */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const bytes = Buffer.from(t, 'base64');
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(t);
  if (!base64 || bytes.length !== KEY_BYTES) {
    const got = base64 ? `${t.length} characters decoding to ${bytes.length} bytes` : `${t.length} characters that are not all base64`;
    throw new ClusterError('ERR_KEY', `a key is ${KEY_BYTES} bytes in base64 (44 characters, from \`phantom keygen\`); got ${got}`);
  }
  return bytes;
}

/**
 * A key's fingerprint: the first 64 bits of its SHA-256, in hex. Names a key without revealing
 * it (the seal header already carries the first 32 bits as the key id).
 */
export function fingerprint(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, FINGERPRINT_CHARS);
}

/** What `phantom keys list` shows for one agent: base64 keys, primary first. */
export interface KeyringView {
  readonly primary: string;
  readonly keys: readonly string[];
}

export class Keyring {
  private readonly byId = new Map<number, SealKey>();
  private primaryKey: SealKey;
  private readonly listeners: ((view: KeyringView) => void)[] = [];

  /** `keys[0]` becomes the primary. Throws ERR_KEY for an empty list or a bad key. */
  constructor(keys: readonly string[]) {
    const first = keys[0];
    if (first === undefined) throw new ClusterError('ERR_KEY', 'a keyring needs at least one key');
    this.primaryKey = this.add(parseKey(first));
    for (const k of keys.slice(1)) this.add(parseKey(k));
    if (this.byId.size > MAX_KEYS) throw new ClusterError('ERR_KEY', `a keyring holds at most ${MAX_KEYS} keys; this one has ${this.byId.size}`);
  }

  /** The key that seals. */
  get primary(): SealKey {
    return this.primaryKey;
  }

  /** The installed key with this id, if any (the `open` lookup). */
  lookup = (id: number): SealKey | undefined => this.byId.get(id);

  /** Number of installed keys. */
  get size(): number {
    return this.byId.size;
  }

  has(key: string): boolean {
    return this.byId.get(sealKey(parseKey(key)).id) !== undefined;
  }

  /** Add a key that opens (idempotent). Returns whether the keyring changed. ERR_KEYRING_FULL beyond MAX_KEYS. */
  install(key: string): boolean {
    const k = sealKey(parseKey(key));
    if (this.byId.has(k.id)) return false;
    if (this.byId.size >= MAX_KEYS) {
      throw new ClusterError(
        'ERR_KEYRING_FULL',
        `the keyring already holds ${MAX_KEYS} keys, the most it may: remove a key no longer in use (phantom keys remove KEY) before installing another`,
      );
    }
    this.add(k.key);
    this.changed();
    return true;
  }

  /** Throws ERR_KEY_NOT_INSTALLED unless `key` is installed (what use() would refuse). */
  assertInstalled(key: string): void {
    this.find(key);
  }

  /** Make an installed key the primary. ERR_KEY_NOT_INSTALLED if it is not installed. */
  use(key: string): boolean {
    const k = this.find(key);
    if (k.id === this.primaryKey.id) return false;
    this.primaryKey = k;
    this.changed();
    return true;
  }

  /** Throws ERR_KEY_PRIMARY when `key` is the primary (what remove() would refuse). */
  assertRemovable(key: string): void {
    if (sealKey(parseKey(key)).id === this.primaryKey.id) {
      throw new ClusterError(
        'ERR_KEY_PRIMARY',
        'refusing to remove the primary key: it seals every packet this agent sends. Make another key primary first (phantom keys use KEY), then remove this one',
      );
    }
  }

  /** Remove a key. ERR_KEY_PRIMARY for the primary (it seals everything we send). */
  remove(key: string): boolean {
    this.assertRemovable(key);
    const k = sealKey(parseKey(key));
    if (!this.byId.delete(k.id)) return false;
    this.changed();
    return true;
  }

  /** The installed key (base64) with this fingerprint, if any. */
  keyOf(fp: string): string | undefined {
    for (const k of this.byId.values()) if (fingerprint(k.key) === fp) return k.key.toString('base64');
    return undefined;
  }

  /** Fingerprints of the installed keys, primary first. */
  fingerprints(): string[] {
    return this.view().keys.map((k) => fingerprint(Buffer.from(k, 'base64')));
  }

  /** Base64 keys, primary first. */
  view(): KeyringView {
    const primary = this.primaryKey.key.toString('base64');
    const rest = [...this.byId.values()].filter((k) => k.id !== this.primaryKey.id).map((k) => k.key.toString('base64'));
    return { primary, keys: [primary, ...rest] };
  }

  /** Hear every change (after it happened). */
  onChange(fn: (view: KeyringView) => void): void {
    this.listeners.push(fn);
  }

  private find(key: string): SealKey {
    const k = this.byId.get(sealKey(parseKey(key)).id);
    if (!k) throw new ClusterError('ERR_KEY_NOT_INSTALLED', 'that key is not installed on this agent; install it first (phantom keys install KEY)');
    return k;
  }

  private add(bytes: Buffer): SealKey {
    const k = sealKey(bytes);
    const clash = this.byId.get(k.id);
    if (clash && !clash.key.equals(k.key)) throw new ClusterError('ERR_KEY', 'two different keys share a key id (1 in 4 billion); generate another key');
    this.byId.set(k.id, k);
    return k;
  }

  private changed(): void {
    const v = this.view();
    for (const l of this.listeners) l(v);
  }
}
