/**
 * The runtime's seeded generator is the core's (core/seeded-random.ts): one implementation,
 * kept where the core can use it too. Re-exported here, where the agent and the simulator have
 * always taken it from.
 */
export { SeededRandom } from '../core/seeded-random.js';
