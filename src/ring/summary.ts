/**
 * A JSON summary of a ring and a shard map, for `GET /v1/ring`: who is on the ring with how many
 * points and what share of the keys, the checksums two agents compare, and how evenly the
 * shards are spread. With a shard map (which decides owners) a member's share is the fraction of
 * shards it is the primary of; without one it is measured from the ring's arcs (each point owns
 * the keys between the previous point and itself), not just points / total.
 */
import { HASH_MAX } from './diff.js';
import type { HashRing } from './hash-ring.js';
import type { ShardMap } from './shard-map.js';

/** One member as `GET /v1/ring` shows it. */
export interface RingMemberSummary {
  readonly name: string;
  /** Points (vnodes × weight) this member has on the ring. */
  readonly points: number;
  /**
   * Fraction of keys it is the primary owner of (0..1): shards it is first owner of / shards when
   * a shard map is summarised (for `hash`, shards are equal slices of the key space), else the
   * ring's arcs.
   */
  readonly share: number;
  readonly zone?: string;
  /** Shard replicas it holds (primary or not); present when a shard map is summarised. */
  readonly shards?: number;
}

/** The shard map part of the summary. */
export interface ShardMapSummary {
  readonly shards: number;
  readonly replicas: number;
  readonly strategy: string;
  readonly placement: string;
  /** ShardMap.checksum(), hex: equal on agents that place every replica alike. */
  readonly checksum: string;
  /** Busiest member's replica count over the mean (1 = perfectly even). */
  readonly maxOverMean: number;
}

/** The body of `GET /v1/ring`. */
export interface RingSummary {
  readonly vnodes: number;
  readonly pointCount: number;
  /** HashRing.checksum(), hex: equal on agents whose rings give the same owner for every key. */
  readonly checksum: string;
  readonly members: readonly RingMemberSummary[];
  readonly shardMap?: ShardMapSummary;
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** Summarises `ring` (and `shards`, when kept); O(points + shards × replicas). */
export function summarizeRing(ring: HashRing, shards?: ShardMap): RingSummary {
  const { points, owners, names } = ring.snapshot();
  const arc = new Map<string, number>();
  for (let i = 0; i < points.length; i++) {
    // Point i owns (points[i-1], points[i]]; the first point also owns the wrap past the last.
    const prev = i === 0 ? points[points.length - 1]! - (HASH_MAX + 1) : points[i - 1]!;
    const name = names[owners[i]!]!;
    arc.set(name, (arc.get(name) ?? 0) + (points[i]! - prev));
  }
  const held = new Map<string, number>();
  const primary = new Map<string, number>();
  let slots = 0;
  let shardCount = 0;
  if (shards !== undefined) {
    for (const o of shards.assignment().values()) {
      for (const m of o) held.set(m, (held.get(m) ?? 0) + 1);
      if (o[0] !== undefined) primary.set(o[0], (primary.get(o[0]) ?? 0) + 1);
      slots += o.length;
      shardCount++;
    }
  }
  const members = ring.members().map((name): RingMemberSummary => {
    const zone = ring.zoneOfMember(name);
    const share =
      shards !== undefined && shardCount > 0 ? (primary.get(name) ?? 0) / shardCount : points.length === 1 ? 1 : (arc.get(name) ?? 0) / (HASH_MAX + 1);
    return {
      name,
      points: ring.pointsOf(name),
      share: Math.round(share * 1e6) / 1e6,
      ...(zone !== undefined ? { zone } : {}),
      ...(shards !== undefined ? { shards: held.get(name) ?? 0 } : {}),
    };
  });
  const summary: RingSummary = { vnodes: ring.vnodes, pointCount: ring.pointCount, checksum: hex(ring.checksum()), members };
  if (shards === undefined) return summary;
  const mean = members.length === 0 ? 0 : slots / members.length;
  const max = Math.max(0, ...held.values());
  return {
    ...summary,
    shardMap: {
      shards: shards.shardIds().length,
      replicas: shards.replicas,
      strategy: shards.strategy,
      placement: shards.placement,
      checksum: hex(shards.checksum()),
      maxOverMean: mean === 0 ? 0 : Math.round((max / mean) * 1000) / 1000,
    },
  };
}
