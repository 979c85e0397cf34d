/**
 * The one event emitter: `on('failed', (e) => ...)` with the payload type inferred, and an async
 * iterator for consumers that prefer `for await`. Pure (no node:events), so the ring, the agent,
 * the Cluster facade and the simulator share it. Listeners run synchronously, in subscription
 * order, inside the call that emitted; one added or removed meanwhile takes effect next time.
 */

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

export type Listener<T> = (payload: T) => void;

/** What happens to an exception a listener throws; `off` removes that listener. */
export type ListenerErrorHandler<Events> = <K extends keyof Events>(err: unknown, type: K, payload: Events[K], off: Unsubscribe) => void;

/** The default: the exception reaches the emitter's caller, and later listeners do not run. */
const rethrow = (err: unknown): never => {
  throw err;
};

export class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /**
   * `onListenerError` hears every exception a listener throws, with the event that caused it:
   * the agent logs it so a listener cannot break the protocol loop that emitted; by default it
   * is rethrown to the caller of emit.
   */
  constructor(private readonly onListenerError: ListenerErrorHandler<Events> = rethrow) {}

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    const off = this.on(type, (p) => {
      off();
      listener(p);
    });
    return off;
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    for (const l of [...set]) {
      try {
        (l as Listener<Events[K]>)(payload);
      } catch (err) {
        this.onListenerError(err, type, payload, () => this.off(type, l as Listener<Events[K]>));
      }
    }
  }

  /** Listeners of `type`; for tests, leak checks, and skipping work nobody hears. */
  listenerCount(type: keyof Events): number {
    return this.listeners.get(type)?.size ?? 0;
  }

  /** Iterate over events of one type until the returned iterator is closed. */
  async *iterate<K extends keyof Events>(type: K): AsyncGenerator<Events[K]> {
    const queue: Events[K][] = [];
    let wake: (() => void) | undefined;
    const off = this.on(type, (p) => {
      queue.push(p);
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      off();
    }
  }
}
