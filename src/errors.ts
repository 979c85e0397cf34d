/**
 * Errors thrown for misuse (bad config, bad arguments, start-up failures). Remote input never
 * throws: it becomes a counted drop. Codes are stable strings that callers may switch on.
 */
export type ErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_ARGUMENT'
  | 'ERR_TAGS_TOO_LARGE'
  | 'ERR_JOIN_FAILED'
  | 'ERR_NOT_RUNNING'
  | 'ERR_NO_MEMBER'
  | 'ERR_SCENARIO'
  /** The agent's worker thread failed to start or exited (Cluster.start with isolate 'worker'). */
  | 'ERR_WORKER'
  /** The membership source cannot do this (a simulator source has no tags or stats). */
  | 'ERR_UNSUPPORTED'
  | 'ERR_SIM_SPIN'
  | (string & {});

export class ClusterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}
