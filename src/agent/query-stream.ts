/**
 * The answers to one query as an async iterator: `for await (const a of agent.query(...))` sees
 * each ack and response as it arrives and ends at the query's timeout. `done` resolves then with
 * everything received, for callers that only want the total.
 */
import type { QueryRequest } from '../core/io.js';

/** How a query is asked (`agent.query`, `cluster.query`, `phantom query`). */
export interface QueryOptions {
  /** Only these members answer. Default: every member. */
  readonly nodes?: readonly string[];
  /** Only members whose tag KEY matches the regular expression (unanchored, as Serf) answer. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Wait this long for answers (ms). Default: gossipIntervalMs × queryTimeoutMult × ceil(log10(n+1)). */
  readonly timeoutMs?: number;
  /** Each answer also goes through this many random members, 0–5 (Serf's -relay-factor). Default 0. */
  readonly relay?: number;
  /** Ask every member the query reaches (and whose filters pass) for an ack. Default true. */
  readonly ack?: boolean;
}

/** The core's request for `name`, `payload` and `opts`, with the defaults filled in. */
/** The handler name that answers queries of any name no handler of their own name takes. */
export const ANY_QUERY = '*';

export function toQueryRequest(name: string, payload: Uint8Array, opts: QueryOptions): QueryRequest {
  return {
    name,
    payload,
    nodes: [...(opts.nodes ?? [])],
    tags: Object.entries(opts.tags ?? {}).map(([key, pattern]) => ({ key, pattern })),
    ack: opts.ack ?? true,
    relay: opts.relay ?? 0,
    timeoutMs: opts.timeoutMs ?? 0,
  };
}

export interface QueryAnswer {
  readonly type: 'ack' | 'response';
  /** The answering member. */
  readonly from: string;
  /** Empty for an ack. */
  readonly payload: Uint8Array;
}

export interface QueryResult {
  readonly acks: readonly string[];
  readonly responses: readonly { readonly from: string; readonly payload: Uint8Array }[];
  /** The timeout the query ran with (ms): the default scales with the cluster size. */
  readonly timeoutMs: number;
}

export class QueryStream implements AsyncIterable<QueryAnswer> {
  private readonly queue: QueryAnswer[] = [];
  private readonly acks: string[] = [];
  private readonly responses: { from: string; payload: Uint8Array }[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private resolveDone!: (r: QueryResult) => void;
  /** Resolves at the timeout with every ack and response received. */
  readonly done: Promise<QueryResult> = new Promise((r) => (this.resolveDone = r));

  /** Called by whoever receives the answers. */
  push(a: QueryAnswer): void {
    if (this.ended) return;
    if (a.type === 'ack') this.acks.push(a.from);
    else this.responses.push({ from: a.from, payload: a.payload });
    this.queue.push(a);
    this.wake?.();
  }

  end(timeoutMs: number): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveDone({ acks: this.acks, responses: this.responses, timeoutMs });
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<QueryAnswer> {
    let read = 0;
    for (;;) {
      while (read < this.queue.length) yield this.queue[read++]!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
