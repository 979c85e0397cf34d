/**
 * A minimal typed listener list. The ring stays pure (no node:events, no async): listeners run
 * synchronously, in subscription order, inside the call that caused the change.
 */

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Holds listeners for one event payload type `T`. */
export class Listeners<T> {
  private list: ((value: T) => void)[] = [];

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): Unsubscribe {
    this.list = [...this.list, listener];
    return () => {
      this.list = this.list.filter((l) => l !== listener);
    };
  }

  /** Calls every listener with `value`. A listener added or removed meanwhile takes effect next time. */
  emit(value: T): void {
    for (const l of this.list) l(value);
  }

  /** Number of listeners; for tests and leak checks. */
  get count(): number {
    return this.list.length;
  }
}
