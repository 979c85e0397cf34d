/**
 * Our tags as the user set them, plus the health tag the agent sets while the host's main thread
 * is busy. `health=busy` belongs to the agent: a user tag with that value is dropped (it is most
 * likely our own tag read back through `self().tags`), so set another value, such as
 * `draining`, to take a member out of picks by hand.
 */
import type { Tags } from '../core/types.js';

/** The value the agent sets while the main thread is busy. */
export const BUSY = 'busy';

export class HealthTagOverlay {
  private user: Tags;
  private busy = false;

  constructor(
    private readonly tag: string,
    initial: Tags,
    /** Puts tags in force (the agent's setTags); may throw, and then nothing here changes. */
    private readonly apply: (tags: Tags) => void,
  ) {
    this.user = strip(initial, tag);
  }

  /** Replace the user's tags, keeping the busy tag while busy. */
  setUser(tags: Tags): void {
    const user = strip(tags, this.tag);
    this.apply(this.effective(user, this.busy));
    this.user = user;
  }

  /** Turn the busy tag on or off; returns false when nothing changed. */
  setBusy(busy: boolean): boolean {
    if (busy === this.busy) return false;
    this.apply(this.effective(this.user, busy));
    this.busy = busy;
    return true;
  }

  private effective(user: Tags, busy: boolean): Tags {
    return busy ? { ...user, [this.tag]: BUSY } : user;
  }
}

function strip(tags: Tags, tag: string): Tags {
  if (tags[tag] !== BUSY) return tags;
  const { [tag]: _, ...rest } = tags;
  return rest;
}
