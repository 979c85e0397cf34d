/**
 * Local health awareness (Lifeguard §IV-A): a score in [0, max - 1] that rises when our own
 * behaviour suggests we are the slow one (a probe with neither ack nor nack, a missing nack,
 * having to refute a suspicion of ourselves, a stall) and falls on every successful probe.
 * While it is high we probe less often and wait longer, so a slow agent stops accusing others.
 */
export class Awareness {
  private value = 0;

  constructor(
    private readonly max: number,
    private readonly enabled: boolean,
  ) {}

  /** The current score, 0 when healthy. */
  get score(): number {
    return this.value;
  }

  /** Move the score by delta, clamped to [0, max - 1]. */
  apply(delta: number): void {
    if (!this.enabled) return;
    this.value = Math.min(this.max - 1, Math.max(0, this.value + delta));
  }

  /** A timeout stretched by our ill health: ms × (score + 1). */
  scale(ms: number): number {
    return ms * (this.value + 1);
  }
}
