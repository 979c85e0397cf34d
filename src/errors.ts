/**
 * Errors thrown for misuse (bad config, bad arguments, start-up failures). Remote input never
 * throws: it becomes a counted drop. Codes are stable strings that callers may switch on.
 *
 * The list is closed: a new code is added here, and the README's table must list it too
 * (test/errors.test.ts compares the two).
 */
export const ERROR_CODES = [
  // Configuration and arguments.
  'ERR_CONFIG',
  'ERR_ARGUMENT',
  'ERR_SCENARIO',
  'ERR_TAGS_TOO_LARGE',
  /** A user event's name and payload over userEventMaxBytes. */
  'ERR_PAYLOAD_TOO_LARGE',
  // The agent's life.
  'ERR_BIND',
  'ERR_JOIN_FAILED',
  'ERR_NOT_RUNNING',
  'ERR_SNAPSHOT',
  /** force-leave of a member that is not failed (alive, suspect or already left). */
  'ERR_NOT_FAILED',
  /** A tag change when our own incarnation is already the highest every agent takes (2^53 - 1). */
  'ERR_INCARNATION_EXHAUSTED',
  // Keys.
  'ERR_KEY',
  'ERR_KEY_NOT_INSTALLED',
  'ERR_KEY_PRIMARY',
  'ERR_NO_KEYRING',
  'ERR_KEYRING_FULL',
  'ERR_KEYS_BUSY',
  'ERR_KEY_NOT_EVERYWHERE',
  'ERR_KEY_IN_USE',
  // The balancer.
  'ERR_NO_MEMBER',
  // The embedded Cluster and the simulator.
  /** The agent's worker thread failed to start or exited (Cluster.start with isolate 'worker'). */
  'ERR_WORKER',
  /** The membership source cannot do this (a simulator source has no tags or stats). */
  'ERR_UNSUPPORTED',
  /** The simulator caught an agent waking again and again at the same time (a spin). */
  'ERR_SIM_SPIN',
  // The admin API (codes of its error answers) and its client.
  'ERR_UNREACHABLE',
  'ERR_UNAUTHORIZED',
  'ERR_FORBIDDEN_HOST',
  'ERR_FORBIDDEN_ORIGIN',
  'ERR_CONTENT_TYPE',
  'ERR_NOT_FOUND',
  'ERR_METHOD',
  'ERR_BAD_JSON',
  'ERR_TOO_LARGE',
  'ERR_NO_RING',
  /** `GET /v1/events`: the agent already serves its maximum of concurrent streams. */
  'ERR_TOO_MANY_STREAMS',
  'ERR_INTERNAL',
  'ERR_ADMIN',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** True for a code of the list (e.g. one read from an admin API answer). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

export class ClusterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}
