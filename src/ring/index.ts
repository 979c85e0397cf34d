/** Public surface of the ring: shard map (the one owner answer), consistent-hash ring, membership feed. */
export { HashRing, DEFAULT_VNODES, type HashRingInit, type RingMember, type RingSnapshot } from './hash-ring.js';
export { hashKey, vnodeId, weightOf, zoneOf, MAX_WEIGHT, type RingKey } from './hash.js';
export { diffRings, HASH_MAX, type RangeMove } from './diff.js';
export { RingFeed, onRing, type RingChange } from './feed.js';
export type { Unsubscribe } from '../runtime/emitter.js';
export { place, type PlacementMethod, type PlacementMember, type Assignment } from './placement.js';
export {
  ShardMap,
  planMoves,
  applyMoves,
  type ShardMapInit,
  type ShardMove,
  type ShardInfo,
  type ShardStrategy,
} from './shard-map.js';
export { summarizeRing, type RingSummary, type RingMemberSummary, type ShardMapSummary } from './summary.js';
