/**
 * The numbers of the pick or finish in progress, shared by reference between the balancer, the
 * member table, the lease pool and the strategies.
 *
 * Why not plain arguments: V8 boxes a fractional number into a fresh heap object whenever it
 * crosses a call that the optimiser did not inline (as an argument or a return value), and which
 * calls get inlined shifts with code size and call-site shape. Passing times through double
 * fields written in place keeps `pick` + `done` allocation-free whatever the inliner decides
 * (bench/balance.ts measures it).
 *
 * Every field starts as -0, a double that still compares === 0: V8 keeps a field as an in-place
 * double only if its first value is not a small integer.
 */
export class Hot {
  /** Time of the pick or finish in progress, in ms on the balancer's clock. */
  nowMs = -0;
  /** Latency of the lease being finished, in ms. */
  latencyMs = -0;
  /** Peak-EWMA time constant, in ms (from the config). */
  decayMs = -0;
  /** Plain-EWMA weight of the newest sample (from the config). */
  alpha = -0;
}
