/**
 * What `phantom version` prints: the package version and the versions of what goes on the wire,
 * so two hosts can tell whether their agents can talk (as `serf version` does).
 */
import { readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../core/messages.js';
import { SEAL_VERSION } from '../wire/crypto.js';

export interface VersionInfo {
  readonly name: string;
  readonly version: string;
  /** The gossip protocol version this agent sends. */
  readonly protocol: number;
  /** Oldest and newest gossip protocol versions it accepts. */
  readonly protocolRange: readonly [number, number];
  /** First byte of a sealed (encrypted) datagram: the envelope format version. */
  readonly sealVersion: number;
  readonly node: string;
}

/** The package.json beside dist/ (or beside src/ when run from source): same depth from both. */
function packageJson(): { name: string; version: string } {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
}

export function versionInfo(): VersionInfo {
  const pkg = packageJson();
  return {
    name: pkg.name,
    version: pkg.version,
    protocol: PROTOCOL_VERSION,
    // One version so far: a packet of any other version is dropped (`bad-version`).
    protocolRange: [PROTOCOL_VERSION, PROTOCOL_VERSION],
    sealVersion: SEAL_VERSION,
    node: process.version,
  };
}

export function formatVersion(v: VersionInfo): string {
  return [
    `${v.name} v${v.version}`,
    `gossip protocol: ${v.protocol} (understands ${v.protocolRange[0]} to ${v.protocolRange[1]})`,
    `sealed envelope: 0x${v.sealVersion.toString(16)} (AES-256-GCM)`,
    `node: ${v.node}`,
  ].join('\n');
}
