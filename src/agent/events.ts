/**
 * A small typed event emitter: `on('failed', (e) => ...)` with the payload type inferred, and an
 * async iterator for consumers that prefer `for await`. A listener that throws is isolated: it
 * must not break the protocol loop that emitted the event.
 */
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
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
        this.onListenerError(err);
      }
    }
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
