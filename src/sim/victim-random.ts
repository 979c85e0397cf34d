/**
 * The PRNG that picks victims in scenarios and churn, kept apart from the simulation's own
 * stream so that choosing a victim never shifts the protocol's draws (and a seed's trace stays
 * the same whether a step picks victims or names them). Each caller salts the seed differently.
 */
export function victimRandom(seed: number, salt: number): () => number {
  let a = (seed ^ salt) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
