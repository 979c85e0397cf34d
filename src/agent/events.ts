/**
 * A small typed event emitter: `on('failed', (e) => ...)` with the payload type inferred, and an
 * async iterator for consumers that prefer `for await`. A listener that throws is isolated: it
 * must not break the protocol loop that emitted the event.
 */
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /**
   * `onListenerError` hears every exception a listener throws, with the event that caused it, so
   * the owner can log it: isolated from the emitter's caller, never swallowed.
   */
  constructor(private readonly onListenerError: <K extends keyof Events>(err: unknown, type: K, payload: Events[K]) => void) {}

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
        this.onListenerError(err, type, payload);
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

/** Log fields that name an event: its type, and for a membership event the member and its state. */
export function eventFields(type: PropertyKey, payload: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { event: String(type) };
  const m = (payload as { member?: { name?: unknown; state?: unknown; incarnation?: unknown } } | null)?.member;
  if (m && typeof m.name === 'string') Object.assign(fields, { member: m.name, state: m.state, incarnation: m.incarnation });
  else if (Array.isArray(payload)) fields.items = payload.length;
  return fields;
}
